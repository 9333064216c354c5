export * from "./tables/api-keys";
export * from "./tables/models";
export * from "./tables/tenants";
export * from "./tables/usage-events";
