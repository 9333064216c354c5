import type { Services } from "../shared/services";
import type { KeyRecord } from "../shared/storage/postgres/api-keys";

export type { Services };

export type HonoEnv = {
  /** Raw bindings as the runtime hands them; read validated values from `services.env`. */
  Bindings: Record<string, unknown>;
  Variables: { requestId: string; services: Services; apiKey: KeyRecord };
};
