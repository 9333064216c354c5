const STOPWORDS = new Set(
  (
    "a an the and or but if then else so than too very of in on at to for from by with about as into onto " +
    "over under again further once here there this that these those it its itself i me my mine myself we us our " +
    "ours ourselves you your yours yourself yourselves he him his himself she her hers herself they them their " +
    "theirs themselves what which whom whose is am are was were be been being have has had having do does did " +
    "doing will would shall should can could may might must just also only own same such both each few more most " +
    "other some any all up down out off now ever please tell let get got kindly thanks thank hi hello hey "
  )
    .trim()
    .split(/\s+/),
);

const NEGATIONS = new Set(["not", "no", "never", "nor", "none", "nothing", "nobody", "nowhere", "neither", "without", "cannot"]);

const SYNONYMS: Record<string, string> = {
  automobile: "car",
  vehicle: "car",
  purchase: "buy",
  acquire: "buy",
  begin: "start",
  commence: "start",
  launch: "start",
  finish: "end",
  terminate: "end",
  large: "big",
  huge: "big",
  enormous: "big",
  tiny: "small",
  little: "small",
  rapid: "fast",
  quick: "fast",
  quickly: "fast",
  speedy: "fast",
  physician: "doctor",
  assist: "help",
  assistance: "help",
  aid: "help",
  error: "bug",
  fault: "bug",
  issue: "problem",
  repair: "fix",
  mend: "fix",
  resolve: "fix",
  method: "way",
  approach: "way",
  modify: "change",
  alter: "change",
  delete: "remove",
  erase: "remove",
  create: "make",
  build: "make",
  construct: "make",
  reply: "answer",
  respond: "answer",
  response: "answer",
  movie: "film",
  sea: "ocean",
  compose: "write",
  explanation: "explain",
  summary: "summarize",
  summarise: "summarize",
  picture: "image",
  photo: "image",
  photograph: "image",
  couch: "sofa",
  kid: "child",
  children: "child",
  people: "person",
  persons: "person",
  inexpensive: "cheap",
  costly: "expensive",
  pricey: "expensive",
  simple: "easy",
  difficult: "hard",
  initialise: "initialize",
  colour: "color",
  optimise: "optimize",
};

const CONTRACTIONS: [RegExp, string][] = [
  [/\bcan't\b/g, "can not"],
  [/\bwon't\b/g, "will not"],
  [/\bshan't\b/g, "shall not"],
  [/\bain't\b/g, "is not"],
  [/n't\b/g, " not"],
  [/'(?:s|re|ve|ll|d|m)\b/g, ""],
];

/** Lowercases, applies NFKD, strips combining marks and unifies apostrophes. */
export function normalizeText(text: string): string {
  let s = text
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase();
  s = s.replace(/[\u2018\u2019\u02bc`´]/g, "'");
  for (const [re, to] of CONTRACTIONS) s = s.replace(re, to);
  return s;
}

/** Light suffix stripping (plurals, -ing, -ed, -ly, -ness, -ment, -ation, final -e); stems stay ≥ 3 letters. */
export function stem(word: string): string {
  if (word.length <= 3 || /\d/.test(word)) return word;
  let w = word;
  if (w.endsWith("ies") && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith("sses")) w = w.slice(0, -2);
  else if (/(?:ch|sh|x|z)es$/.test(w)) w = w.slice(0, -2);
  else if (w.endsWith("s") && !/(?:ss|us|is)$/.test(w)) w = w.slice(0, -1);
  for (const [suffix, repl] of [
    ["ational", "ate"],
    ["ization", "ize"],
    ["isation", "ize"],
    ["ation", "ate"],
    ["fulness", "ful"],
    ["iveness", "ive"],
    ["ness", ""],
    ["ment", ""],
    ["ingly", ""],
    ["edly", ""],
    ["ing", ""],
    ["ed", ""],
    ["ly", ""],
  ] as const) {
    if (w.endsWith(suffix) && w.length - suffix.length + repl.length >= 3) {
      w = w.slice(0, -suffix.length) + repl;
      if ((suffix === "ing" || suffix === "ed") && /([^aeiouslz])\1$/.test(w)) w = w.slice(0, -1);
      break;
    }
  }
  if (w.length > 3 && w.endsWith("e")) w = w.slice(0, -1);
  if (w.length > 3 && w.endsWith("y")) w = `${w.slice(0, -1)}i`;
  return w;
}

const STEM_SYNONYMS = new Map(Object.entries(SYNONYMS).map(([from, to]) => [stem(from), stem(to)]));

function canonicalStem(word: string): string {
  const s = stem(SYNONYMS[word] ?? word);
  return STEM_SYNONYMS.get(s) ?? s;
}

/** One content token after normalisation: its stem, whether it lies in a negation's scope, and whether it is numeric. */
export interface TextToken {
  readonly stem: string;
  readonly negated: boolean;
  readonly numeric: boolean;
}

const WORD = /\p{N}+(?:[.,]\p{N}+)*|[\p{L}]+|[.!?;:]/gu;
const NEGATION_SCOPE = 3;

/**
 * Tokenizes, drops stopwords, maps synonyms, stems, and folds every negation word into one `not`
 * marker whose scope (up to three content words, stopping at punctuation) is flagged `negated`.
 */
export function contentTokens(text: string): TextToken[] {
  const out: TextToken[] = [];
  let scope = 0;
  for (const raw of normalizeText(text).match(WORD) ?? []) {
    if (/^[.!?;:]$/.test(raw)) {
      scope = 0;
      continue;
    }
    if (NEGATIONS.has(raw)) {
      out.push({ stem: "not", negated: false, numeric: false });
      scope = NEGATION_SCOPE;
      continue;
    }
    if (STOPWORDS.has(raw)) continue;
    const numeric = /^\p{N}/u.test(raw);
    out.push({ stem: numeric ? raw.replace(/,/g, "") : canonicalStem(raw), negated: scope > 0, numeric });
    if (scope > 0) scope--;
  }
  return out;
}
