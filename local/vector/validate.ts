import { badRequest } from "./http-error";

/** A JSON object received in a request body. */
export type Json = Record<string, unknown>;

/** True for a non-null, non-array object. */
export function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Requires a JSON object body (or array item). */
export function asObject(v: unknown, what: string): Json {
  if (!isObject(v)) throw badRequest(`${what} must be a JSON object`);
  return v;
}

/** A vector id: a non-empty string or a finite number, answered back as a string. */
export function asId(v: unknown): string {
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  if (typeof v === "string" && v.length > 0) return v;
  throw badRequest("id must be a non-empty string or a number");
}

/** A dense vector of exactly `dimension` finite numbers. */
export function asVector(v: unknown, dimension: number): number[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === "number" && Number.isFinite(x))) {
    throw badRequest("vector must be an array of finite numbers");
  }
  if (v.length !== dimension) throw badRequest(`Invalid vector dimension: ${v.length}, expected: ${dimension}`);
  return v as number[];
}

/** Optional metadata: a JSON object or absent. */
export function asMetadata(v: unknown): Json | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw badRequest("metadata must be a JSON object");
  return v;
}

/** Optional raw text `data`. */
export function asData(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw badRequest("data must be a string");
  return v;
}

/** A positive integer (topK, limit, additionalK), defaulting when absent. */
export function asPositiveInt(v: unknown, name: string, fallback?: number): number {
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1) throw badRequest(`${name} must be a positive integer`);
  return v;
}

/** Optional filter string; empty means no filter. */
export function asFilter(v: unknown): string {
  if (v === undefined || v === null) return "";
  if (typeof v !== "string") throw badRequest("filter must be a string");
  return v.trim();
}

/** Rejects sparse vectors, which this dense-only index does not hold. */
export function rejectSparse(body: Json): void {
  if (body.sparseVector !== undefined) throw badRequest("sparseVector is not supported: this is a dense index");
}
