/**
 * The JSON text a parsed object came from, so an object passed on unchanged can be sent as the
 * upstream's own text instead of being serialised again (a stream relays hundreds of chunks). Only
 * for objects nobody mutates after parsing; weak, so nothing outlives its object.
 * @example const chunk = JSON.parse(text); rememberSource(chunk, text); ... sourceOf(chunk) ?? JSON.stringify(chunk)
 */
const sources = new WeakMap<object, string>();

export function rememberSource<T extends object>(value: T, text: string): T {
  sources.set(value, text);
  return value;
}

export const sourceOf = (value: object): string | undefined => sources.get(value);

const USAGE_NULL_TAIL = ',"usage":null}';

/**
 * The source text of `value` without its last member `"usage":null`, when the text ends exactly so
 * (compact JSON, usage last, as OpenAI writes stream chunks); undefined otherwise.
 */
export function sourceWithoutNullUsage(value: object): string | undefined {
  const text = sources.get(value);
  return text?.endsWith(USAGE_NULL_TAIL) ? `${text.slice(0, -USAGE_NULL_TAIL.length)}}` : undefined;
}
