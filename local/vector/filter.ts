import type { FilterNode, Literal, PathStep } from "./filter-parser";

export { FilterError } from "./filter-lexer";
export { type FilterNode, type Literal, type PathStep, parseFilter } from "./filter-parser";

/** Evaluates a parsed filter against a vector's metadata; fields that are absent never match a value operator. */
export function matchesFilter(node: FilterNode, metadata: unknown): boolean {
  switch (node.type) {
    case "and":
      return matchesFilter(node.left, metadata) && matchesFilter(node.right, metadata);
    case "or":
      return matchesFilter(node.left, metadata) || matchesFilter(node.right, metadata);
    case "hasField":
      return (resolvePath(metadata, node.path) !== undefined) !== node.negate;
    case "compare":
      return compare(resolvePath(metadata, node.path), node.op, node.value);
    case "glob": {
      const v = resolvePath(metadata, node.path);
      return typeof v === "string" && node.regex.test(v) !== node.negate;
    }
    case "in": {
      const v = resolvePath(metadata, node.path);
      return isScalar(v) && node.values.some((lit) => equals(v, lit)) !== node.negate;
    }
    case "contains": {
      const v = resolvePath(metadata, node.path);
      return Array.isArray(v) && v.some((item) => equals(item, node.value)) !== node.negate;
    }
  }
}

/** Follows a path through objects and arrays; `undefined` when any step is missing. */
export function resolvePath(root: unknown, path: PathStep[]): unknown {
  let cur: unknown = root;
  for (const step of path) {
    if ("key" in step) {
      if (cur === null || typeof cur !== "object" || Array.isArray(cur)) return undefined;
      if (!Object.hasOwn(cur, step.key)) return undefined;
      cur = (cur as Record<string, unknown>)[step.key];
    } else {
      if (!Array.isArray(cur)) return undefined;
      const i = step.fromEnd ? cur.length - step.index : step.index;
      if (i < 0 || i >= cur.length) return undefined;
      cur = cur[i];
    }
  }
  return cur;
}

function isScalar(v: unknown): v is Literal {
  return typeof v === "string" || typeof v === "number" || typeof v === "boolean";
}

function equals(v: unknown, lit: Literal): boolean {
  if (typeof v === "boolean" && typeof lit === "number") return (v ? 1 : 0) === lit;
  return isScalar(v) && typeof v === typeof lit && v === lit;
}

function compare(v: unknown, op: string, lit: Literal): boolean {
  if (op === "=") return equals(v, lit);
  if (op === "!=") return isScalar(v) && !equals(v, lit);
  if (typeof v !== "number" || typeof lit !== "number") return false;
  if (op === "<") return v < lit;
  if (op === "<=") return v <= lit;
  if (op === ">") return v > lit;
  return v >= lit;
}
