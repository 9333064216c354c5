/** A lexical token of the metadata filter language; `pos` is the zero-based column of its first character. */
export type FilterToken =
  | { kind: "ident"; text: string; pos: number }
  | { kind: "string"; value: string; pos: number }
  | { kind: "number"; value: number; text: string; pos: number }
  | { kind: "op"; text: "=" | "!=" | "<" | "<=" | ">" | ">="; pos: number }
  | { kind: "punct"; text: "(" | ")" | ","; pos: number }
  | { kind: "end"; pos: number };

/** A malformed filter; `message` reads like Upstash's (`Invalid filter. At line 1:COL ...`). */
export class FilterError extends Error {
  constructor(
    readonly pos: number,
    detail: string,
  ) {
    super(`Invalid filter. At line 1:${pos} ${detail}`);
    this.name = "FilterError";
  }
}

const IDENT_START = /[A-Za-z_]/;
const IDENT_PART = /[A-Za-z_0-9.[\]#-]/;
const NUMBER = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/;
const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", "'": "'", '"': '"' };

/** Splits a filter string into tokens; identifiers follow Upstash's `[a-zA-Z_][a-zA-Z_0-9.[\]#-]*`. */
export function tokenizeFilter(src: string): FilterToken[] {
  const tokens: FilterToken[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "(" || c === ")" || c === ",") {
      tokens.push({ kind: "punct", text: c, pos: i++ });
    } else if (c === "=" || c === "<" || c === ">" || c === "!") {
      const two = src.slice(i, i + 2);
      if (two === "!=" || two === "<=" || two === ">=") {
        tokens.push({ kind: "op", text: two, pos: i });
        i += 2;
      } else if (c === "!") {
        throw new FilterError(i, "token recognition error at: '!'");
      } else {
        tokens.push({ kind: "op", text: c as "=" | "<" | ">", pos: i++ });
      }
    } else if (c === "'" || c === '"') {
      i = readString(src, i, tokens);
    } else if (IDENT_START.test(c)) {
      const start = i;
      while (i < src.length && IDENT_PART.test(src[i] as string)) i++;
      tokens.push({ kind: "ident", text: src.slice(start, i), pos: start });
    } else {
      const m = NUMBER.exec(src.slice(i));
      if (!m) throw new FilterError(i, `token recognition error at: '${c}'`);
      tokens.push({ kind: "number", value: Number(m[0]), text: m[0], pos: i });
      i += m[0].length;
    }
  }
  tokens.push({ kind: "end", pos: src.length });
  return tokens;
}

function readString(src: string, start: number, tokens: FilterToken[]): number {
  const quote = src[start];
  let value = "";
  let i = start + 1;
  while (i < src.length) {
    const c = src[i] as string;
    if (c === quote) {
      tokens.push({ kind: "string", value, pos: start });
      return i + 1;
    }
    if (c === "\\" && i + 1 < src.length) {
      const next = src[i + 1] as string;
      value += ESCAPES[next] ?? `\\${next}`;
      i += 2;
    } else {
      value += c;
      i++;
    }
  }
  throw new FilterError(start, `token recognition error at: '${src.slice(start)}'`);
}
