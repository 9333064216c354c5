import { inputError } from "./errors";
import { isRecord } from "./wire";

type Json = Record<string, unknown>;

/**
 * The keys of Gemini's `Schema` (a subset of OpenAPI 3.0, v1beta). Gemini parses request bodies
 * strictly, so any other key ("Unknown name ... Cannot find field") fails the whole request.
 * Everything else is dropped, notably: `$schema`, `$id`, `$comment`, `additionalProperties`,
 * `strict`, `examples`, `exclusiveMinimum`/`exclusiveMaximum`, `multipleOf`, `uniqueItems`, `not`,
 * `patternProperties`, `readOnly`/`writeOnly`, `if`/`then`/`else`. Others are rewritten first:
 * `$ref` (local `#/$defs/…` or `#/definitions/…`) is inlined, `const` becomes a one-value `enum`,
 * `oneOf` becomes `anyOf`, a one-element `allOf` is merged, and `type: [T, "null"]` or a `{type:
 * "null"}` branch becomes `nullable: true`.
 */
const KEEP = new Set([
  "type",
  "format",
  "title",
  "description",
  "nullable",
  "enum",
  "items",
  "minItems",
  "maxItems",
  "properties",
  "required",
  "minProperties",
  "maxProperties",
  "minLength",
  "maxLength",
  "pattern",
  "minimum",
  "maximum",
  "anyOf",
  "propertyOrdering",
  "default",
  "example",
]);

// The Gemini API rejects any other string format ("only 'enum' and 'date-time' are supported for STRING type").
const FORMATS = new Set(["enum", "date-time", "float", "double", "int32", "int64"]);

type Ctx = { root: Json; param: string };

function resolveRef(ref: unknown, ctx: Ctx): Json {
  const match = typeof ref === "string" ? /^#\/(\$defs|definitions)\/([^/]+)$/.exec(ref) : null;
  const defs = match ? ctx.root[match[1] as string] : undefined;
  const target = match && isRecord(defs) ? defs[decodeURIComponent(match[2] as string)] : undefined;
  if (!isRecord(target)) throw inputError(ctx.param, `has an unsupported $ref ${JSON.stringify(ref)}`);
  return target;
}

function omit(o: Json, key: string): Json {
  const { [key]: _, ...rest } = o;
  return rest;
}

/** Rewrites JSON-Schema spellings into Gemini's before the allow-list filter. `refs`: the $refs being expanded. */
function normalize(input: Json, ctx: Ctx, refs: readonly string[]): { s: Json; refs: readonly string[] } {
  if (typeof input.$ref === "string") {
    if (refs.includes(input.$ref)) throw inputError(ctx.param, "has a recursive $ref, which Gemini schemas cannot express");
    return normalize({ ...resolveRef(input.$ref, ctx), ...omit(input, "$ref") }, ctx, [...refs, input.$ref]);
  }
  if (Array.isArray(input.allOf) && input.allOf.length === 1 && isRecord(input.allOf[0])) {
    return normalize({ ...omit(input, "allOf"), ...input.allOf[0] }, ctx, refs);
  }
  const s: Json = { ...input };
  if ("const" in s && !("enum" in s)) s.enum = [s.const];
  if (Array.isArray(s.oneOf) && !("anyOf" in s)) s.anyOf = s.oneOf;
  if (Array.isArray(s.type)) {
    const types = s.type.filter((t) => t !== "null");
    if (types.length < s.type.length) s.nullable = true;
    if (types.length === 1) s.type = types[0];
    else delete s.type;
    if (types.length > 1) s.anyOf = types.map((type) => ({ type }));
  }
  if (Array.isArray(s.enum)) {
    if (s.enum.includes(null)) s.nullable = true;
    const values = s.enum.filter((v) => v !== null);
    // Gemini enums are strings only: a numeric enum is dropped rather than silently retyped.
    if (values.every((v) => typeof v === "string")) {
      s.enum = values;
      s.type ??= "string";
    } else delete s.enum;
  }
  return { s, refs };
}

function clean(input: Json, ctx: Ctx, parentRefs: readonly string[]): Json {
  const { s, refs } = normalize(input, ctx, parentRefs);
  const sub = (v: unknown) => (isRecord(v) ? clean(v, ctx, refs) : {});
  const out: Json = {};
  let inlined: Json = {};
  for (const [key, value] of Object.entries(s)) {
    if (!KEEP.has(key)) continue;
    if (key === "format" && !(typeof value === "string" && FORMATS.has(value))) continue;
    if (key === "properties" && isRecord(value)) {
      out.properties = Object.fromEntries(Object.entries(value).map(([name, p]) => [name, sub(p)]));
    } else if (key === "items") out.items = sub(value);
    else if (key === "anyOf" && Array.isArray(value)) inlined = anyOf(value.map(sub));
    else out[key] = value;
  }
  // The parent's own keys (its description, say) win over those of an inlined single branch.
  return { ...inlined, ...out };
}

/** `anyOf` with its `{type: "null"}` branches folded into `nullable`; a single branch left is inlined. */
function anyOf(branches: Json[]): Json {
  const nonNull = branches.filter((b) => b.type !== "null");
  const nullable = nonNull.length < branches.length ? { nullable: true } : {};
  return nonNull.length === 1 ? { ...nonNull[0], ...nullable } : { anyOf: nonNull, ...nullable };
}

/**
 * A JSON Schema (tool parameters, `response_format.json_schema.schema`) as a Gemini `Schema`.
 * Pure; throws AdapterInputError (with `param`) for what cannot be expressed, e.g. recursive `$ref`s.
 * @example toGeminiSchema({ type: "object", additionalProperties: false, properties: {...} }, "tools[0].function.parameters")
 */
export function toGeminiSchema(schema: Json, param: string): Json {
  return clean(schema, { root: schema, param }, []);
}
