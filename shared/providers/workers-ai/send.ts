import type { Sender } from "../types";
import { bindingError, statusOf } from "./errors";
import { WORKERS_AI_RUN } from "./request";

/** All the gateway needs from the Workers AI binding (`env.AI`, `[ai] binding = "AI"` in wrangler.toml). */
export type AiBinding = {
  run(model: string, inputs: Record<string, unknown>, options?: { signal?: AbortSignal }): Promise<unknown>;
};

/** Name of the binding in the Worker's env. */
export const AI_BINDING = "AI";

const isBinding = (v: unknown): v is AiBinding => typeof v === "object" && v !== null && typeof (v as { run?: unknown }).run === "function";

const encoder = new TextEncoder();
const JSON_TYPE = { "content-type": "application/json" };
const SSE_TYPE = { "content-type": "text/event-stream" };

/**
 * A whole result as a two-event SSE stream (`data: <result>`, `data: [DONE]`), for a model that
 * answers a streaming call with JSON: the stream translator reads it like any other event.
 */
function asStream(result: unknown): ReadableStream<Uint8Array> {
  const bytes = encoder.encode(`data: ${JSON.stringify(result)}\n\ndata: [DONE]\n\n`);
  return new ReadableStream({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

/**
 * Performs a `workers-ai://run/<model>` request with `bindings.AI.run(model, inputs)` and answers
 * as an HTTP upstream would, so the generic `send` and this adapter's readers need nothing else: a
 * stream → 200 `text/event-stream`, a result → 200 JSON, a binding error → its documented status
 * with `{errors: [{code, message}]}` (classified by `workersAiError`). An abort is rethrown for
 * `send` to report as a timeout.
 * @throws Error when the Worker has no AI binding (it is optional: production only) or the URL is not a run URL.
 * @example await send(workersAi.chatRequest(body, target), { AI: env.AI }, signal)
 */
export const send: Sender = async (req, bindings, signal) => {
  const ai = bindings[AI_BINDING];
  if (!isBinding(ai)) throw new Error(`The Workers AI binding is not configured: add [ai] binding = "${AI_BINDING}" to wrangler.toml`);
  if (!req.url.startsWith(WORKERS_AI_RUN)) throw new Error(`Not a Workers AI run request: ${req.url}`);
  const model = req.url.slice(WORKERS_AI_RUN.length);
  const inputs = JSON.parse(req.body ?? "{}") as Record<string, unknown>;
  let result: unknown;
  try {
    result = await (signal ? ai.run(model, inputs, { signal }) : ai.run(model, inputs));
  } catch (thrown) {
    if (signal?.aborted || (thrown as { name?: unknown } | null)?.name === "AbortError") throw thrown;
    const { code, message } = bindingError(thrown);
    return new Response(JSON.stringify({ errors: [{ code: code ?? null, message }] }), { status: statusOf(code), headers: JSON_TYPE });
  }
  if (result instanceof ReadableStream) return new Response(result, { headers: SSE_TYPE });
  if (inputs.stream === true) return new Response(asStream(result), { headers: SSE_TYPE });
  return new Response(JSON.stringify(result), { headers: JSON_TYPE });
};
