import {
  CODE_WORDS,
  CONTRASTS,
  NEGATIONS,
  NUMBER_WORDS,
  ONE_AS_PRONOUN_AFTER,
  OPERATOR_WORDS,
  ORDINAL_WORDS,
  SENTENCE_STARTERS,
  UNITS,
  UNITS_AFTER_NUMBER,
} from "./lexicon";

/** What a candidate can differ in, checked in this order; the first difference is the reason. */
export const VERIFY_REASONS = ["urls", "code", "quoted", "numbers", "units", "negation", "entities", "contrast"] as const;
export type VerifyReason = (typeof VERIFY_REASONS)[number];

/** The outcome of a verification. `reason` names a category only, never the text (safe to log). */
export type Verdict = { ok: true } | { ok: false; reason: VerifyReason };

/** Everything an embedding blurs, extracted in order of appearance. */
export type TextFacts = Record<VerifyReason, string[]>;

/**
 * Whether a semantic candidate may answer the query: every fact an embedding blurs must be equal in
 * both texts, in the same order: URLs and e-mail addresses; code (fenced blocks, inline code,
 * identifiers with `_`, camelCase, dotted calls, paths, CLI flags, keywords such as `var`/`async`);
 * quoted strings; numbers (digits,
 * decimals, signs, percentages, ordinals, number words zero-twenty and tens, arithmetic operators
 * between numbers); units and currencies; the number of negations (not, no, never, n't, without,
 * except…); names (capitalised words that are not ordinary sentence openers, acronyms); and contrast
 * words whose opposite an embedding barely tells apart (more/less, before/after, buy/sell, who/when…).
 * Any difference is a miss: a false miss costs one upstream call, a false hit a wrong answer.
 * @example verifyCandidate("What is 15% of 80?", "What's 15 percent of 80?") // { ok: true }
 * @example verifyCandidate("What is 15% of 80?", "What is 15% of 90?")       // { ok: false, reason: "numbers" }
 */
export function verifyCandidate(queryText: string, candidateText: string): Verdict {
  if (squash(queryText) === squash(candidateText)) return { ok: true };
  const q = extractFacts(queryText);
  const c = extractFacts(candidateText);
  for (const reason of VERIFY_REASONS) {
    const a = q[reason];
    const b = c[reason];
    if (a.length !== b.length || a.some((x, i) => x !== b[i])) return { ok: false, reason };
  }
  return { ok: true };
}

const squash = (text: string) => normalize(text).replace(/\s+/g, " ").trim();

function normalize(text: string): string {
  return text
    .normalize("NFKC")
    .replace(/[\u2018\u2019\u201B\u2032]/g, "'")
    .replace(/[\u201C\u201D\u201E\u2033\u00AB\u00BB]/g, '"');
}

const FENCED = /```[^\n`]*\n?([\s\S]*?)(?:```|$)/g;
const INLINE_CODE = /`([^`\n]+)`/g;
const URL = /\b(?:https?:\/\/|www\.)[^\s<>"'`]+/gi;
const EMAIL = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;
const DOUBLE_QUOTED = /"([^"\n]{1,300})"/g;
const SINGLE_QUOTED = /(^|[\s([{:,;=])'([^'\n]{1,300}?)'(?=$|[\s)\]}.,;:!?])/g;
const CODE_ID =
  /(?:[A-Za-z_$][\w$]*\.)+[A-Za-z_$][\w$]*(?:\(\))?|[A-Za-z_$][\w$]*\(\)|\b\w*_\w*|\b[a-z]+[A-Z]\w*|(?<![\w-])--?[A-Za-z][\w-]*|(?<![\w.])(?:~|\.{1,2})?\/[\w.-]+(?:\/[\w.-]+)*/g;

/** Removes every match from `text` (replaced by a space), collecting `pick(match)` when non-empty. */
function take(text: string, re: RegExp, into: string[], pick: (m: RegExpExecArray) => { out: string; keep?: string }): string {
  return text.replace(re, (...args) => {
    const m = args.slice(0, -2) as unknown as RegExpExecArray;
    const { out, keep = " " } = pick(m);
    if (out) into.push(out);
    return keep;
  });
}

const codeBlock = (body: string) =>
  body
    .split("\n")
    .map((l) => l.trimEnd())
    .join("\n")
    .trim();

/**
 * The facts of one text, in order of appearance (see {@link verifyCandidate}).
 * @example extractFacts("Is Paris bigger than 2 km²?").entities // ["paris"]
 */
export function extractFacts(text: string): TextFacts {
  const facts: TextFacts = { urls: [], code: [], quoted: [], numbers: [], units: [], negation: [], entities: [], contrast: [] };
  let rest = normalize(text);
  rest = take(rest, FENCED, facts.code, (m) => ({ out: codeBlock(m[1] ?? "") }));
  rest = take(rest, INLINE_CODE, facts.code, (m) => ({ out: (m[1] ?? "").trim() }));
  rest = take(rest, URL, facts.urls, (m) => ({
    out: m[0]
      .replace(/[.,;:!?)\]}]+$/, "")
      .replace(/\/$/, "")
      .toLowerCase(),
  }));
  rest = take(rest, EMAIL, facts.urls, (m) => ({ out: m[0].toLowerCase() }));
  rest = take(rest, DOUBLE_QUOTED, facts.quoted, (m) => ({ out: (m[1] ?? "").replace(/\s+/g, " ").trim() }));
  rest = take(rest, SINGLE_QUOTED, facts.quoted, (m) => ({ out: (m[2] ?? "").replace(/\s+/g, " ").trim(), keep: `${m[1] ?? ""} ` }));
  rest = take(rest, CODE_ID, facts.code, (m) => ({ out: isCodeId(m[0]) ? m[0] : "", keep: isCodeId(m[0]) ? " " : m[0] }));
  readWords(lex(rest), facts);
  for (const key of ["urls", "code", "units", "entities", "contrast"] as const) facts[key] = [...new Set(facts[key])];
  return facts;
}

function isCodeId(id: string): boolean {
  if (!/[A-Za-z]/.test(id)) return false;
  if (id.includes(".") && !id.includes("/") && id.split(".").every((seg) => seg.replace(/\(\)$/, "").length <= 1)) return false;
  return true;
}

type Token =
  | { k: "num"; raw: string; ordinal: boolean; start: number; end: number }
  | { k: "word"; raw: string; lower: string; initial: boolean; start: number; end: number }
  | { k: "sep"; start: number; end: number }
  | { k: "sym"; ch: string; start: number; end: number };

const LEX =
  /(\d+(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)+|\d+)(st|nd|rd|th)?|(\p{L}+(?:'\p{L}+)*(?:-\p{L}+(?:'\p{L}+)*)*)|([.!?;:\n]+)|([-+*/×÷^=<>%$€£¥°])/gu;

function lex(text: string): Token[] {
  const out: Token[] = [];
  let atStart = true;
  for (const m of text.matchAll(LEX)) {
    const start = m.index ?? 0;
    const end = start + m[0].length;
    if (m[1] !== undefined) {
      out.push({ k: "num", raw: m[1], ordinal: m[2] !== undefined, start, end });
      atStart = false;
    } else if (m[3] !== undefined) {
      out.push({ k: "word", raw: m[3], lower: m[3].toLowerCase(), initial: atStart, start, end });
      atStart = false;
    } else if (m[4] !== undefined) {
      out.push({ k: "sep", start, end });
      atStart = true;
    } else out.push({ k: "sym", ch: m[5] ?? "", start, end });
  }
  return out;
}

function numberValue(raw: string): string {
  const plain = raw.replace(/,/g, "");
  if ((plain.match(/\./g) ?? []).length > 1) return plain;
  return String(Number(plain));
}

function wordNumber(lower: string): string | undefined {
  const parts = lower.split("-");
  if (parts.length === 2) {
    const [tens, unit] = parts.map((p) => NUMBER_WORDS.get(p));
    if (tens !== undefined && unit !== undefined && tens >= 20 && tens <= 90 && unit < 10) return String(tens + unit);
  }
  const cardinal = NUMBER_WORDS.get(lower);
  if (cardinal !== undefined) return String(cardinal);
  const ordinal = ORDINAL_WORDS.get(lower);
  return ordinal === undefined ? undefined : `#${ordinal}`;
}

const OPERATOR_SYMBOLS: Record<string, string> = {
  "+": "+",
  "-": "-",
  "*": "*",
  "/": "/",
  "×": "*",
  "÷": "/",
  "^": "^",
  "=": "=",
  "<": "<",
  ">": ">",
};

type Item = { kind: "n" | "o" | "x"; value: string };
const OTHER: Item = { kind: "x", value: "" };

/** Numbers (with operators next to them), units, negations, names and contrasts from the tokens. */
function readWords(tokens: Token[], facts: TextFacts): void {
  const items: Item[] = tokens.map(() => OTHER);
  const used = new Set<number>();
  tokens.forEach((t, i) => {
    if (used.has(i)) return;
    if (t.k === "num") items[i] = { kind: "n", value: readNumber(tokens, i, used, items) };
    else if (t.k === "sym") items[i] = readSymbol(t.ch, facts);
    else if (t.k === "word") items[i] = readWordToken(tokens, i, items, facts);
  });
  items.forEach((item, i) => {
    if (item.kind === "n" || (item.kind === "o" && (items[i - 1]?.kind === "n" || items[i + 1]?.kind === "n")))
      facts.numbers.push(item.value);
  });
}

const isWord = (t: Token | undefined, ...words: string[]): boolean => t?.k === "word" && words.includes(t.lower);

/** A number token with its sign (a `-` touching it, not a hyphen after a word or number), ordinal mark and percent. */
function readNumber(tokens: Token[], i: number, used: Set<number>, items: Item[]): string {
  const t = tokens[i] as Extract<Token, { k: "num" }>;
  const [before, prev, next] = [tokens[i - 2], tokens[i - 1], tokens[i + 1]];
  let value = numberValue(t.raw);
  if (
    prev?.k === "sym" &&
    prev.ch === "-" &&
    prev.end === t.start &&
    (!before || before.end < prev.start || before.k === "sym" || before.k === "sep")
  ) {
    value = `-${value}`;
    items[i - 1] = OTHER;
    used.add(i - 1);
  }
  if (t.ordinal) value = `#${value}`;
  if ((next?.k === "sym" && next.ch === "%" && next.start === t.end) || isWord(next, "percent", "pct")) {
    used.add(i + 1);
    return `${value}%`;
  }
  if (isWord(next, "per") && isWord(tokens[i + 2], "cent")) {
    used.add(i + 1).add(i + 2);
    return `${value}%`;
  }
  return value;
}

function readSymbol(ch: string, facts: TextFacts): Item {
  const op = OPERATOR_SYMBOLS[ch];
  if (op) return { kind: "o", value: op };
  const unit = UNITS.get(ch);
  if (unit) facts.units.push(unit);
  return OTHER;
}

function readWordToken(tokens: Token[], i: number, items: Item[], facts: TextFacts): Item {
  const t = tokens[i] as Extract<Token, { k: "word" }>;
  const asNumber = wordNumber(t.lower);
  const pronoun = t.lower === "one" && tokens[i - 1]?.k === "word" && ONE_AS_PRONOUN_AFTER.has((tokens[i - 1] as { lower: string }).lower);
  if (asNumber !== undefined && !pronoun) return { kind: "n", value: asNumber };
  const operator = OPERATOR_WORDS.get(t.lower);
  if (operator) return { kind: "o", value: operator };
  let j = i - 1;
  while (tokens[j]?.k === "sym" && (tokens[j] as { ch: string }).ch === "°") j--;
  readWord(t, items[j]?.kind === "n", facts);
  return OTHER;
}

function readWord(t: Extract<Token, { k: "word" }>, afterNumber: boolean, facts: TextFacts): void {
  const { lower } = t;
  if (CODE_WORDS.has(lower)) facts.code.push(lower);
  if (NEGATIONS.has(lower) || lower.endsWith("n't") || lower.startsWith("non-")) facts.negation.push("not");
  const unit = (afterNumber ? UNITS_AFTER_NUMBER.get(lower) : undefined) ?? UNITS.get(lower);
  if (unit) facts.units.push(unit);
  else {
    const contrast = CONTRASTS.get(lower);
    if (contrast) facts.contrast.push(contrast);
  }
  if (/^\p{Lu}/u.test(t.raw)) {
    const name = lower.replace(/'s?$/, "");
    if (name === "i" || name.startsWith("i'")) return;
    if (t.initial && SENTENCE_STARTERS.has(lower)) return;
    facts.entities.push(name);
  }
}
