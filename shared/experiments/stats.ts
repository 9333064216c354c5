/**
 * Significance tests for experiment results, in plain double arithmetic (no dependencies).
 *
 * Degenerate inputs (an arm with too few observations, or nothing varying) have no test statistic:
 * they return a statistic of 0 and `pValue: 1` ("no evidence of a difference") rather than NaN,
 * so results survive a round trip through JSON (NaN would become null) and never trip a guardrail.
 */

/** A two-sided test of a difference between arm A (control) and arm B; positive `z`/`t` means B is higher. */
export type ZTest = { z: number; pValue: number };
export type TTest = { t: number; df: number; pValue: number };
/** Sample summary of one arm: mean, sample variance (n − 1 denominator) and size. */
export type Sample = { mean: number; variance: number; n: number };

const SQRT_PI = Math.sqrt(Math.PI);
const EPS = 1e-15;
const TINY = 1e-300;
const MAX_ITERATIONS = 500;

/**
 * The error function, to ~1e-15: Maclaurin series below |x| = 2.5, else 1 − erfc by the
 * continued fraction (both converge fast there, so no cancellation of significance).
 * @example erf(1) // 0.8427007929497149
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (Math.abs(x) >= 2.5) return Math.sign(x) * (1 - erfcContinuedFraction(Math.abs(x)));
  let term = x;
  let sum = x;
  const x2 = x * x;
  for (let n = 1; n < MAX_ITERATIONS; n++) {
    term *= -x2 / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < EPS * Math.abs(sum)) break;
  }
  return (2 / SQRT_PI) * sum;
}

/** 1 − erf(x), accurate in the tail (where 1 − erf would round to 0). @example erfc(3) // 2.209049699858544e-5 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x >= 2.5) return erfcContinuedFraction(x);
  if (x <= -2.5) return 2 - erfcContinuedFraction(-x);
  return 1 - erf(x);
}

/**
 * erfc(x) for x > 0: exp(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), evaluated by
 * the modified Lentz method.
 */
function erfcContinuedFraction(x: number): number {
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < MAX_ITERATIONS; n++) {
    const a = n / 2;
    d = x + a * d;
    d = Math.abs(d) < TINY ? TINY : d;
    c = x + a / c;
    c = Math.abs(c) < TINY ? TINY : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return Math.exp(-x * x) / SQRT_PI / f;
}

/** The standard normal CDF Φ(x). @example normalCdf(1.959963984540054) // 0.975 */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; ~1e-15 relative). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0] ?? 0;
  const t = z + 7.5;
  for (let i = 1; i < LANCZOS.length; i++) a += (LANCZOS[i] ?? 0) / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * The regularized incomplete beta function I_x(a, b), by its continued fraction (Numerical
 * Recipes `betacf`, modified Lentz), using the symmetry I_x(a,b) = 1 − I_{1−x}(b,a) where the
 * fraction converges slowly.
 * @example regularizedBeta(0.3, 1, 1) // 0.3
 */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (Number.isNaN(x) || a <= 0 || b <= 0) return Number.NaN;
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x));
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(x, a, b)) / a;
  return 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

function betaContinuedFraction(x: number, a: number, b: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  d = 1 / (Math.abs(d) < TINY ? TINY : d);
  let h = d;
  const step = (num: number) => {
    d = 1 + num * d;
    d = 1 / (Math.abs(d) < TINY ? TINY : d);
    c = 1 + num / c;
    c = Math.abs(c) < TINY ? TINY : c;
    const delta = d * c;
    h *= delta;
    return delta;
  };
  for (let m = 1; m <= MAX_ITERATIONS; m++) {
    const m2 = 2 * m;
    step((m * (b - m) * x) / ((qam + m2) * (a + m2)));
    const delta = step((-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2)));
    if (Math.abs(delta - 1) < EPS) break;
  }
  return h;
}

/**
 * Two-sided p-value of Student's t with `df` degrees of freedom: P(|T| ≥ |t|) = I_{df/(df+t²)}(df/2, 1/2).
 * @example studentTTwoSided(2.228138851986274, 10) // 0.05
 */
export function studentTTwoSided(t: number, df: number): number {
  if (!Number.isFinite(t) || !(df > 0)) return Number.NaN;
  return regularizedBeta(df / (df + t * t), df / 2, 0.5);
}

const NO_TEST_Z: ZTest = { z: 0, pValue: 1 };

/**
 * Two-proportion z-test with the pooled standard error, two-sided. `z = (p_B − p_A) / SE`, so a
 * positive z means B's rate is higher. An empty arm, or a pooled rate of 0 or 1, gives `{z: 0, pValue: 1}`.
 * @example twoProportionZTest(5, 100, 40, 100) // { z: 5.926…, pValue: 3.1e-9 }
 */
export function twoProportionZTest(successA: number, nA: number, successB: number, nB: number): ZTest {
  if (!(nA > 0 && nB > 0)) return NO_TEST_Z;
  const pooled = (successA + successB) / (nA + nB);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / nA + 1 / nB));
  if (!(se > 0)) return NO_TEST_Z;
  const z = (successB / nB - successA / nA) / se;
  return { z, pValue: Math.min(1, 2 * normalCdf(-Math.abs(z))) };
}

/**
 * Welch's unequal-variance t-test, two-sided, with the Welch–Satterthwaite degrees of freedom.
 * `t = (mean_B − mean_A) / SE`. Fewer than 2 observations in an arm, or no variance in either,
 * gives `{t: 0, df: 0, pValue: 1}`.
 * @example welchTTest({ mean: 0.75, variance: 3.2006, n: 10 }, { mean: 2.33, variance: 4.009, n: 10 }) // t 1.8608, df 17.776, p 0.0794
 */
export function welchTTest(a: Sample, b: Sample): TTest {
  const none = { t: 0, df: 0, pValue: 1 };
  if (!(a.n >= 2 && b.n >= 2)) return none;
  const va = Math.max(0, a.variance) / a.n;
  const vb = Math.max(0, b.variance) / b.n;
  const se2 = va + vb;
  if (!(se2 > 0)) return none;
  const t = (b.mean - a.mean) / Math.sqrt(se2);
  const df = (se2 * se2) / ((va * va) / (a.n - 1) + (vb * vb) / (b.n - 1));
  return { t, df, pValue: Math.min(1, studentTTwoSided(t, df)) };
}
