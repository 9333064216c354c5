import { index, pgTable, text, unique } from "drizzle-orm/pg-core";
import { timestamps } from "./columns";
import { tenants } from "./tenants";

/**
 * A tenant's own key for a provider (BYOK), encrypted with AES-GCM under a key derived from the
 * `ENCRYPTION_KEY` secret and the tenant id. The plaintext is never stored or returned.
 */
export const providerCredentials = pgTable(
  "provider_credentials",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    provider: text("provider").notNull(),
    /** base64(iv ‖ ciphertext ‖ tag). */
    ciphertext: text("ciphertext").notNull(),
    /** Last four characters of the plaintext, for display. */
    hint: text("hint").notNull(),
    ...timestamps,
  },
  (t) => [
    unique("provider_credentials_tenant_provider").on(t.tenantId, t.provider),
    index("provider_credentials_tenant_idx").on(t.tenantId),
  ],
);

export type ProviderCredential = typeof providerCredentials.$inferSelect;
export type NewProviderCredential = typeof providerCredentials.$inferInsert;
