import type { GatewayError } from "../shared/errors/gateway-error";
import type { MeterDraft } from "../shared/metering/meter";
import type { Services } from "../shared/services";
import type { KeyRecord } from "../shared/storage/postgres/api-keys";
import type { Actor } from "../shared/tenancy/actor";
import type { Admission } from "../shared/traffic/admission";

export type { Services };

export type HonoEnv = {
  /** Raw bindings as the runtime hands them; read validated values from `services.env`. */
  Bindings: Record<string, unknown>;
  Variables: {
    requestId: string;
    services: Services;
    apiKey: KeyRecord;
    /** Who calls the admin API (set by `adminAuth()` on `/admin/*`). */
    actor: Actor;
    /** The usage draft of a metered endpoint (see middleware/meter.ts). */
    meter: MeterDraft;
    /** The request's admission (limits, reservations), settled after the response. */
    admission?: Admission;
    /** Renders error bodies for this endpoint; OpenAI's shape unless a route family says otherwise. */
    errorBody?: (err: GatewayError) => unknown;
  };
};
