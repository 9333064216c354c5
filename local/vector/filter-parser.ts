import { FilterError, type FilterToken, tokenizeFilter } from "./filter-lexer";
import { globToRegExp } from "./glob";

/** One step of a field path: an object key, an index from the front (`[0]`) or from the back (`[#-1]`). */
export type PathStep = { key: string } | { index: number; fromEnd: boolean };

/** A literal on the right-hand side of an operator. */
export type Literal = string | number | boolean;

/** The parsed form of a metadata filter. */
export type FilterNode =
  | { type: "and" | "or"; left: FilterNode; right: FilterNode }
  | { type: "hasField"; path: PathStep[]; negate: boolean }
  | { type: "compare"; path: PathStep[]; op: "=" | "!=" | "<" | "<=" | ">" | ">="; value: Literal }
  | { type: "glob"; path: PathStep[]; regex: RegExp; negate: boolean }
  | { type: "in"; path: PathStep[]; values: Literal[]; negate: boolean }
  | { type: "contains"; path: PathStep[]; value: Literal; negate: boolean };

const STEP = /^(?:\.?([A-Za-z_0-9-]+)|\[(\d+)\]|\[#(?:-(\d+))?\])/;

/**
 * Parses Upstash's metadata filter language: `= != < <= > >=`, `[NOT] GLOB`, `[NOT] IN (...)`,
 * `[NOT] CONTAINS`, `HAS [NOT] FIELD`, `AND` (binds tighter) / `OR`, parentheses, dotted paths and
 * `arr[0]` / `arr[#-1]` indexing. Keywords and boolean literals are case-insensitive. Throws FilterError.
 */
export function parseFilter(src: string): FilterNode {
  const p = new Parser(tokenizeFilter(src));
  const node = p.parseOr();
  const t = p.peek();
  if (t.kind !== "end") throw new FilterError(t.pos, `extraneous input ${describe(t)}`);
  return node;
}

function describe(t: FilterToken): string {
  if (t.kind === "end") return "<EOF>";
  if (t.kind === "string") return `'${JSON.stringify(t.value)}'`;
  if (t.kind === "number") return `'${t.text}'`;
  return `'${t.text}'`;
}

class Parser {
  private i = 0;

  constructor(private readonly tokens: FilterToken[]) {}

  peek(offset = 0): FilterToken {
    return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)] as FilterToken;
  }

  parseOr(): FilterNode {
    let left = this.parseAnd();
    while (this.isKeyword(this.peek(), "OR")) {
      this.i++;
      left = { type: "or", left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): FilterNode {
    let left = this.parsePrimary();
    while (this.isKeyword(this.peek(), "AND")) {
      this.i++;
      left = { type: "and", left, right: this.parsePrimary() };
    }
    return left;
  }

  private parsePrimary(): FilterNode {
    const t = this.peek();
    if (t.kind === "punct" && t.text === "(") {
      this.i++;
      const inner = this.parseOr();
      this.expectPunct(")");
      return inner;
    }
    if (this.isKeyword(t, "HAS") && (this.isKeyword(this.peek(1), "FIELD") || this.isKeyword(this.peek(1), "NOT"))) {
      this.i++;
      const negate = this.isKeyword(this.peek(), "NOT");
      if (negate) this.i++;
      this.expectKeyword("FIELD");
      return { type: "hasField", path: this.parsePath(), negate };
    }
    const path = this.parsePath();
    return this.parseOperator(path);
  }

  private parseOperator(path: PathStep[]): FilterNode {
    const t = this.peek();
    if (t.kind === "op") {
      this.i++;
      const value = this.parseLiteral();
      if (t.text !== "=" && t.text !== "!=" && typeof value !== "number") {
        throw new FilterError(this.peek(-1).pos, `operator '${t.text}' needs a number literal`);
      }
      return { type: "compare", path, op: t.text, value };
    }
    const negate = this.isKeyword(t, "NOT");
    if (negate) this.i++;
    const kw = this.peek();
    if (this.isKeyword(kw, "GLOB")) {
      this.i++;
      const lit = this.peek();
      if (lit.kind !== "string") throw new FilterError(lit.pos, `GLOB needs a string pattern, got ${describe(lit)}`);
      this.i++;
      return { type: "glob", path, regex: compileGlob(lit.value, lit.pos), negate };
    }
    if (this.isKeyword(kw, "IN")) {
      this.i++;
      return { type: "in", path, values: this.parseList(), negate };
    }
    if (this.isKeyword(kw, "CONTAINS")) {
      this.i++;
      return { type: "contains", path, value: this.parseLiteral(), negate };
    }
    throw new FilterError(kw.pos, `mismatched input ${describe(kw)} expecting an operator (=, !=, <, <=, >, >=, GLOB, IN, CONTAINS)`);
  }

  private parseList(): Literal[] {
    this.expectPunct("(");
    const values = [this.parseLiteral()];
    while (this.peek().kind === "punct" && (this.peek() as { text: string }).text === ",") {
      this.i++;
      values.push(this.parseLiteral());
    }
    this.expectPunct(")");
    return values;
  }

  private parseLiteral(): Literal {
    const t = this.peek();
    if (t.kind === "string" || t.kind === "number") {
      this.i++;
      return t.value;
    }
    if (this.isKeyword(t, "TRUE") || this.isKeyword(t, "FALSE")) {
      this.i++;
      return this.isKeyword(t, "TRUE");
    }
    throw new FilterError(t.pos, `mismatched input ${describe(t)} expecting a string, number or boolean literal`);
  }

  private parsePath(): PathStep[] {
    const t = this.peek();
    if (t.kind !== "ident" || this.isKeyword(t, "AND") || this.isKeyword(t, "OR")) {
      throw new FilterError(t.pos, `mismatched input ${describe(t)} expecting a field name`);
    }
    this.i++;
    const steps: PathStep[] = [];
    let rest = t.text;
    while (rest.length > 0) {
      const m = STEP.exec(rest);
      const offset = t.pos + t.text.length - rest.length;
      if (!m || (steps.length === 0 && m[1] === undefined) || (m[0].startsWith(".") && steps.length === 0)) {
        throw new FilterError(offset, `invalid field path '${t.text}'`);
      }
      if (m[1] !== undefined) steps.push({ key: m[1] });
      else if (m[2] !== undefined) steps.push({ index: Number(m[2]), fromEnd: false });
      else steps.push({ index: m[3] === undefined ? 0 : Number(m[3]), fromEnd: true });
      rest = rest.slice(m[0].length);
      if (rest.length > 0 && !/^[.[]/.test(rest)) throw new FilterError(offset + m[0].length, `invalid field path '${t.text}'`);
    }
    return steps;
  }

  private isKeyword(t: FilterToken, word: string): boolean {
    return t.kind === "ident" && t.text.toUpperCase() === word;
  }

  private expectKeyword(word: string): void {
    const t = this.peek();
    if (!this.isKeyword(t, word)) throw new FilterError(t.pos, `mismatched input ${describe(t)} expecting ${word}`);
    this.i++;
  }

  private expectPunct(text: "(" | ")"): void {
    const t = this.peek();
    if (t.kind !== "punct" || t.text !== text) throw new FilterError(t.pos, `mismatched input ${describe(t)} expecting '${text}'`);
    this.i++;
  }
}

function compileGlob(pattern: string, pos: number): RegExp {
  try {
    return globToRegExp(pattern);
  } catch {
    throw new FilterError(pos, `invalid GLOB pattern '${pattern}'`);
  }
}
