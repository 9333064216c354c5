/** The alias a plain logical name (`support-bot`) resolves to. */
export const DEFAULT_ALIAS = "stable";

/** A logical model's name: letters, digits, `.`, `_`, `-`; no `@` or `/` (it is a path segment of the admin API). */
export const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** An alias: lower case, starts with a letter (so it can never be mistaken for a version). */
export const ALIAS_NAME = /^[a-z][a-z0-9_-]{0,31}$/;

/** Semantic Versioning 2.0.0 (semver.org's own expression): `1.4.0`, `2.0.0-rc.1`, `1.0.0+build.5`. */
export const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/** What a client name points at: an alias (`stable`, `canary`, …) or an exact version. */
export type ModelRef = { alias: string } | { version: string };

/** A parsed client model name. */
export type LogicalName = { model: string; ref: ModelRef };

/** True for a valid semantic version. @example isSemver("1.4.0") // true; isSemver("1.4") // false */
export const isSemver = (value: string): boolean => value.length <= 64 && SEMVER.test(value);

/**
 * Parses a client model name: `support-bot` (= `@stable`), `support-bot@canary`,
 * `support-bot@1.4.0`. After the `@`, a leading digit means a version, which must be valid semver;
 * anything else is an alias name. Null when the name cannot be a logical model name at all.
 * @example parseModelName("support-bot@1.4.0") // { model: "support-bot", ref: { version: "1.4.0" } }
 */
export function parseModelName(name: string): LogicalName | null {
  const at = name.indexOf("@");
  const model = at < 0 ? name : name.slice(0, at);
  if (!MODEL_NAME.test(model)) return null;
  if (at < 0) return { model, ref: { alias: DEFAULT_ALIAS } };
  const ref = name.slice(at + 1);
  if (/^\d/.test(ref)) return isSemver(ref) ? { model, ref: { version: ref } } : null;
  return ALIAS_NAME.test(ref) ? { model, ref: { alias: ref } } : null;
}

const prereleaseOrder = (a: string, b: string): number => {
  const [x, y] = [a.split("."), b.split(".")];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const [p, q] = [x[i], y[i]];
    if (p === undefined) return -1;
    if (q === undefined) return 1;
    const [pn, qn] = [/^\d+$/.test(p), /^\d+$/.test(q)];
    if (pn && qn && Number(p) !== Number(q)) return Number(p) - Number(q);
    if (pn !== qn) return pn ? -1 : 1;
    if (p !== q) return p < q ? -1 : 1;
  }
  return 0;
};

/**
 * Semver precedence (build metadata ignored; a pre-release sorts before its release). Both must be
 * valid semver. @example ["1.10.0", "1.2.0"].sort(compareSemver) // ["1.2.0", "1.10.0"]
 */
export function compareSemver(a: string, b: string): number {
  const [ma, mb] = [SEMVER.exec(a), SEMVER.exec(b)];
  if (!ma || !mb) return a < b ? -1 : a > b ? 1 : 0;
  for (let i = 1; i <= 3; i++) {
    const d = Number(ma[i]) - Number(mb[i]);
    if (d !== 0) return d;
  }
  const [pa, pb] = [ma[4], mb[4]];
  if (pa === undefined || pb === undefined) return pa === pb ? 0 : pa === undefined ? 1 : -1;
  return prereleaseOrder(pa, pb);
}
