const SPECIAL = /[.*+?^${}()|[\]\\/]/;
const CLASS_SPECIAL = /[\\\][^-]/;

/**
 * Compiles a UNIX glob (`*`, `?`, `[abc]`, `[a-z]`, `[^abc]`) into an anchored, case-sensitive RegExp.
 * An unclosed `[` is matched literally.
 */
export function globToRegExp(pattern: string): RegExp {
  const chars = Array.from(pattern);
  let out = "";
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    if (c === "*") {
      out += "[\\s\\S]*";
    } else if (c === "?") {
      out += "[\\s\\S]";
    } else if (c === "[") {
      const cls = readClass(chars, i);
      if (cls) {
        out += cls.source;
        i = cls.end;
      } else {
        out += "\\[";
      }
    } else {
      out += SPECIAL.test(c) ? `\\${c}` : c;
    }
  }
  return new RegExp(`^${out}$`, "u");
}

function readClass(chars: string[], open: number): { source: string; end: number } | null {
  let i = open + 1;
  const negate = chars[i] === "^" || chars[i] === "!";
  if (negate) i++;
  const body: string[] = [];
  if (chars[i] === "]") body.push(chars[i++] as string);
  while (i < chars.length && chars[i] !== "]") body.push(chars[i++] as string);
  if (i >= chars.length) return null;
  let source = "";
  for (let j = 0; j < body.length; j++) {
    const c = body[j] as string;
    source += escapeClassChar(c);
    if (body[j + 1] === "-" && j + 2 < body.length) {
      source += `-${escapeClassChar(body[j + 2] as string)}`;
      j += 2;
    }
  }
  return { source: `[${negate ? "^" : ""}${source}]`, end: i };
}

function escapeClassChar(c: string): string {
  return CLASS_SPECIAL.test(c) ? `\\${c}` : c;
}
