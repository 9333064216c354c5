/**
 * Tool-call decisions and deterministic arguments/JSON from a JSON schema.
 *
 * A response calls tools when tools are present and
 * - the tool choice is "required" (OpenAI) / "any" (Anthropic) / "ANY" (Gemini)
 *   → the tools named after "call" in the last user text, else the first tool;
 * - the tool choice names a function → that function;
 * - the tool choice is auto/absent, the last message is a user message (not a
 *   tool result) and its text has the word "call" followed (anywhere later) by
 *   tool names → those tools, in order of appearance (only the first when
 *   parallel tool calls are disabled).
 * A "none" tool choice never calls tools.
 */
import { hash32, prng, randomWord } from "./content";

export interface ToolDef {
  name: string;
  schema: unknown;
}

export type ToolMode = { kind: "auto" } | { kind: "none" } | { kind: "required" } | { kind: "named"; name: string };

export function pickTools(
  tools: readonly ToolDef[],
  mode: ToolMode,
  lastUserText: string,
  lastIsUser: boolean,
  parallel: boolean,
): ToolDef[] {
  if (tools.length === 0 || mode.kind === "none") return [];
  if (mode.kind === "named") {
    const t = tools.find((x) => x.name === mode.name);
    return t ? [t] : [];
  }
  const named = lastIsUser || mode.kind === "required" ? namedAfterCall(tools, lastUserText) : [];
  const chosen = named.length > 0 ? named : mode.kind === "required" ? [tools[0] as ToolDef] : [];
  return parallel ? chosen : chosen.slice(0, 1);
}

function namedAfterCall(tools: readonly ToolDef[], text: string): ToolDef[] {
  const m = /\bcall\b/i.exec(text);
  if (m === null) return [];
  const rest = text.slice(m.index + m[0].length);
  const found: Array<{ at: number; tool: ToolDef }> = [];
  for (const tool of tools) {
    if (!tool.name) continue;
    const re = new RegExp(`(^|[^A-Za-z0-9_])${escapeRe(tool.name)}(?![A-Za-z0-9_])`);
    const hit = re.exec(rest);
    if (hit !== null) found.push({ at: hit.index, tool });
  }
  found.sort((a, b) => a.at - b.at);
  return found.map((f) => f.tool);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Deterministic arguments object for a tool, as a JSON string. */
export function toolArguments(tool: ToolDef, key: string): string {
  return JSON.stringify(fakeFromSchema(tool.schema, prng(hash32(`${tool.name}\u0000${key}`))));
}

type Schema = Record<string, unknown>;

function isObj(x: unknown): x is Schema {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/**
 * A value valid against a simple reading of a JSON schema (OpenAPI/Gemini
 * upper-case types accepted): objects get every listed property, arrays
 * max(minItems, 1..2) items, enums/consts pick a listed value, numbers honour
 * minimum/maximum, anyOf/oneOf/allOf take the first branch.
 */
export function fakeFromSchema(schema: unknown, rnd: () => number, depth = 0): unknown {
  if (!isObj(schema) || depth > 8) return depth === 0 ? {} : null;
  if ("const" in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) {
    return schema.enum[Math.floor(rnd() * schema.enum.length)];
  }
  for (const k of ["anyOf", "oneOf", "allOf"] as const) {
    const alts = schema[k];
    if (Array.isArray(alts) && alts.length > 0) {
      const pick = alts.find((a) => !(isObj(a) && String(a.type).toLowerCase() === "null")) ?? alts[0];
      return fakeFromSchema(pick, rnd, depth + 1);
    }
  }
  let type = schema.type;
  if (Array.isArray(type)) type = type.find((t) => String(t).toLowerCase() !== "null") ?? type[0];
  if (type === undefined) type = isObj(schema.properties) ? "object" : schema.items !== undefined ? "array" : "string";
  switch (String(type).toLowerCase()) {
    case "object": {
      const out: Record<string, unknown> = {};
      const props = isObj(schema.properties) ? schema.properties : {};
      for (const [name, sub] of Object.entries(props)) out[name] = fakeFromSchema(sub, rnd, depth + 1);
      return out;
    }
    case "array": {
      const min = typeof schema.minItems === "number" ? schema.minItems : 1;
      const max = typeof schema.maxItems === "number" ? schema.maxItems : Math.max(min, 2);
      const n = Math.min(max, Math.max(min, 1 + Math.floor(rnd() * 2)));
      const out: unknown[] = [];
      for (let i = 0; i < n; i++) out.push(fakeFromSchema(schema.items ?? { type: "string" }, rnd, depth + 1));
      return out;
    }
    case "integer":
    case "number": {
      const lo = typeof schema.minimum === "number" ? schema.minimum : 0;
      const hi = typeof schema.maximum === "number" ? schema.maximum : lo + 100;
      const v = lo + rnd() * (hi - lo);
      return String(type).toLowerCase() === "integer"
        ? Math.min(Math.floor(hi), Math.max(Math.ceil(lo), Math.round(v)))
        : Math.round(v * 100) / 100;
    }
    case "boolean":
      return rnd() < 0.5;
    case "null":
      return null;
    default: {
      const fmt = schema.format;
      if (fmt === "date") return "2024-01-01";
      if (fmt === "date-time") return "2024-01-01T00:00:00Z";
      if (fmt === "email") return `${randomWord(rnd)}@example.com`;
      if (fmt === "uri" || fmt === "url") return `https://example.com/${randomWord(rnd)}`;
      if (fmt === "uuid") return "00000000-0000-4000-8000-000000000000";
      return randomWord(rnd);
    }
  }
}
