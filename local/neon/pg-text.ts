/** A Postgres array literal parsed into nested arrays of element texts (`null` for unquoted NULL). */
export type PgTextArray = Array<string | null | PgTextArray>;

const ARRAY_ELEMENT_OIDS = new Map<number, number>([
  [1000, 16],
  [1001, 17],
  [1002, 18],
  [1003, 19],
  [1005, 21],
  [1007, 23],
  [1009, 25],
  [1028, 26],
  [199, 114],
  [1014, 1042],
  [1015, 1043],
  [1016, 20],
  [1021, 700],
  [1022, 701],
  [1182, 1082],
  [1183, 1083],
  [1115, 1114],
  [1185, 1184],
  [1187, 1186],
  [1270, 1266],
  [1231, 1700],
  [2951, 2950],
  [3807, 3802],
]);

/** Turns a JSON request parameter into Postgres text, as Neon does (arrays become array literals). */
export function jsonToPgParam(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return arrayLiteral(value);
  return JSON.stringify(value);
}

function arrayLiteral(values: unknown[]): string {
  const items = values.map((value) => {
    if (value === null || value === undefined) return "NULL";
    if (Array.isArray(value)) return arrayLiteral(value);
    if (typeof value === "string") return quote(value);
    if (typeof value === "object") return quote(JSON.stringify(value));
    return JSON.stringify(value);
  });
  return `{${items.join(",")}}`;
}

function quote(text: string): string {
  return `"${text.replace(/[\\"]/g, "\\$&")}"`;
}

/** Converts a text-format value to JSON as Neon does without raw text output: bool, int2/int4, float, json(b) and arrays of known types are typed; everything else stays text. */
export function pgTextToJson(text: string, dataTypeID: number): unknown {
  const elementOid = ARRAY_ELEMENT_OIDS.get(dataTypeID);
  if (elementOid !== undefined) return mapArray(parsePgArray(text), elementOid);
  switch (dataTypeID) {
    case 16:
      return text === "t";
    case 21:
    case 23:
      return Number.parseInt(text, 10);
    case 700:
    case 701: {
      const value = Number(text);
      return Number.isFinite(value) ? value : text;
    }
    case 114:
    case 3802:
      return JSON.parse(text);
    default:
      return text;
  }
}

function mapArray(items: PgTextArray, elementOid: number): unknown[] {
  return items.map((item) => {
    if (item === null) return null;
    if (Array.isArray(item)) return mapArray(item, elementOid);
    return pgTextToJson(item, elementOid);
  });
}

/** Parses a one- or multi-dimensional array literal such as `{1,NULL,"a b"}` or `[0:1]={{1},{2}}`. */
export function parsePgArray(literal: string): PgTextArray {
  const text = literal.startsWith("[") ? literal.slice(literal.indexOf("=") + 1) : literal;
  let at = 0;
  const fail = (): never => {
    throw new Error(`malformed array literal: ${literal}`);
  };
  const skipSpace = () => {
    while (text[at] === " ") at += 1;
  };
  const readArray = (): PgTextArray => {
    skipSpace();
    if (text[at] !== "{") fail();
    at += 1;
    const out: PgTextArray = [];
    skipSpace();
    if (text[at] === "}") {
      at += 1;
      return out;
    }
    for (;;) {
      skipSpace();
      if (text[at] === "{") {
        out.push(readArray());
      } else if (text[at] === '"') {
        at += 1;
        let value = "";
        while (text[at] !== '"') {
          if (at >= text.length) fail();
          if (text[at] === "\\") at += 1;
          value += text[at] ?? "";
          at += 1;
        }
        at += 1;
        out.push(value);
      } else {
        const start = at;
        while (at < text.length && text[at] !== "," && text[at] !== "}") at += 1;
        const item = text.slice(start, at).trim();
        out.push(item === "NULL" ? null : item);
      }
      skipSpace();
      if (text[at] === ",") {
        at += 1;
        continue;
      }
      if (text[at] === "}") {
        at += 1;
        return out;
      }
      fail();
    }
  };
  return readArray();
}
