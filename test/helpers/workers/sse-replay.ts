import { type SseEvent, sseParser } from "../../../shared/openai/sse";
import type { ChatCompletionChunk } from "../../../shared/openai/types";
import type { StreamTranslator, UpstreamError } from "../../../shared/providers/types";
import { seeded } from "./prng";

/** A fixture's bytes cut at `cuts` (byte offsets, possibly inside a UTF-8 sequence). */
export function pieces(text: string, cuts: number[]): Uint8Array[] {
  const bytes = new TextEncoder().encode(text);
  const edges = [0, ...cuts.filter((c) => c > 0 && c < bytes.length).sort((x, y) => x - y), bytes.length];
  return edges.slice(1).map((end, i) => bytes.slice(edges[i], end));
}

/** No cut, every byte its own piece, and 40 random layouts (seeded by the text's size). */
export function layouts(text: string): number[][] {
  const size = new TextEncoder().encode(text).length;
  const next = seeded(size);
  const randomLayouts = Array.from({ length: 40 }, () =>
    Array.from({ length: 1 + Math.floor(next() * 12) }, () => Math.floor(next() * size)),
  );
  return [[], Array.from({ length: size }, (_, i) => i), ...randomLayouts];
}

/**
 * Bytes → sseParser() → a provider's stream translator, stopping at the first UpstreamError as
 * the gateway does.
 * @example const { chunks, error } = await replay(pieces(fixture, cuts), gemini.chatStream(meta));
 */
export async function replay(
  parts: Uint8Array[],
  translator: StreamTranslator,
): Promise<{ chunks: ChatCompletionChunk[]; error?: UpstreamError }> {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const part of parts) controller.enqueue(part);
      controller.close();
    },
  });
  const reader = body.pipeThrough(sseParser()).getReader();
  const chunks: ChatCompletionChunk[] = [];
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    const out = translator.event(r.value as SseEvent);
    if (!Array.isArray(out)) return { chunks, error: out };
    chunks.push(...out);
  }
  const last = translator.end();
  if (!Array.isArray(last)) return { chunks, error: last };
  return { chunks: [...chunks, ...last] };
}
