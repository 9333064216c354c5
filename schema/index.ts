export * from "./tables/api-keys";
export * from "./tables/audit-log";
export * from "./tables/model-prices";
export * from "./tables/models";
export * from "./tables/provider-credentials";
export * from "./tables/tenants";
export * from "./tables/usage-events";
export * from "./views";
