import { describe, expect, it } from "vitest";
import { erf, erfc, normalCdf, regularizedBeta, studentTTwoSided, twoProportionZTest, welchTTest } from "../../../shared/experiments/stats";

// Reference values: closed forms where one exists, else R / scipy 1.17 (stated per case).
const close = (actual: number, expected: number, relative = 1e-12) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(relative * Math.max(Math.abs(expected), Number.MIN_VALUE));

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const variance = (xs: number[]) => xs.reduce((s, x) => s + (x - mean(xs)) ** 2, 0) / (xs.length - 1);

describe("erf, erfc, normalCdf", () => {
  it.each([
    // x, erf(x), erfc(x): Python math.erf / math.erfc (glibc, correctly rounded to ~1 ulp)
    [0.1, 0.1124629160182849, 0.8875370839817152],
    [0.5, 0.5204998778130465, 0.4795001221869535],
    [1, 0.8427007929497149, 0.15729920705028513],
    [2, 0.9953222650189527, 0.004677734981047265],
    [2.5, 0.999593047982555, 0.0004069520174449589],
    [3, 0.9999779095030014, 2.2090496998585438e-5],
    [5, 0.9999999999984626, 1.5374597944280351e-12],
    [6, 1, 2.1519736712498916e-17],
  ])("erf(%f)", (x, e, c) => {
    close(erf(x), e, 1e-13);
    close(erfc(x), c, 1e-12);
    close(erf(-x), -e, 1e-13);
    close(erfc(-x), 2 - c, 1e-13);
  });

  it("gives Φ(1.959963984540054) = 0.975 and Φ(−5) = 2.866515718791933e-7 (scipy norm.cdf)", () => {
    close(normalCdf(1.959963984540054), 0.975, 1e-14);
    close(normalCdf(-5), 2.866515718791933e-7, 1e-12);
    expect(normalCdf(0)).toBe(0.5);
  });
});

describe("regularizedBeta and Student's t", () => {
  it("matches closed forms of I_x(a, b)", () => {
    for (const x of [0.01, 0.2, 0.5, 0.77, 0.99]) {
      close(regularizedBeta(x, 1, 1), x);
      close(regularizedBeta(x, 3.5, 1), x ** 3.5);
      close(regularizedBeta(x, 1, 4), 1 - (1 - x) ** 4);
      // I_x(½, ½) = (2/π) asin(√x)
      close(regularizedBeta(x, 0.5, 0.5), (2 / Math.PI) * Math.asin(Math.sqrt(x)));
    }
    // I_0.3(2, 3) = Σ_{j=2..4} C(4,j) .3^j .7^(4−j) = 0.2646 + 0.0756 + 0.0081
    close(regularizedBeta(0.3, 2, 3), 0.3483);
    // scipy.special.betainc(50, 0.5, 0.01): deep in the tail
    close(regularizedBeta(0.01, 50, 0.5), 7.998227417904836e-102, 1e-10);
    expect(regularizedBeta(0, 2, 3)).toBe(0);
    expect(regularizedBeta(1, 2, 3)).toBe(1);
  });

  it("gives textbook two-sided p-values", () => {
    close(studentTTwoSided(1, 1), 0.5); // Cauchy: P(|T| ≥ 1) = ½
    close(studentTTwoSided(3, 2), 1 - 3 / Math.sqrt(11)); // df 2: 1 − t/√(t² + 2)
    close(studentTTwoSided(2.228138851986274, 10), 0.05, 1e-11); // t table: t(0.975, 10)
    close(studentTTwoSided(0.5, 3.3), 0.6485350763995584, 1e-11); // scipy 2·t.sf(0.5, 3.3)
    close(studentTTwoSided(10, 100), 9.90168898459413e-17, 1e-9); // scipy 2·t.sf(10, 100)
    expect(studentTTwoSided(0, 7)).toBe(1);
  });
});

describe("twoProportionZTest (pooled, two-sided; z > 0 when B's rate is higher)", () => {
  it("5/100 vs 40/100: z = 0.35/√(.225·.775·.02) = 5.92667, p = 3.0913e-9 (scipy 2·norm.sf)", () => {
    const { z, pValue } = twoProportionZTest(5, 100, 40, 100);
    close(z, 5.926672593342223);
    close(pValue, 3.0913445375949403e-9, 1e-9);
  });

  it("45/100 vs 30/100: z = −2.19089, p = 0.0284597 (R prop.test(c(45,30), c(100,100), correct=FALSE): X² = z² = 4.8, p = 0.02846)", () => {
    const { z, pValue } = twoProportionZTest(45, 100, 30, 100);
    close(z, -2.1908902300206647);
    close(z * z, 4.8);
    close(pValue, 0.02845973691631055, 1e-12);
  });

  it("has no evidence without observations or without variation (never NaN)", () => {
    expect(twoProportionZTest(0, 0, 3, 10)).toEqual({ z: 0, pValue: 1 });
    expect(twoProportionZTest(0, 50, 0, 50)).toEqual({ z: 0, pValue: 1 });
    expect(twoProportionZTest(50, 50, 50, 50)).toEqual({ z: 0, pValue: 1 });
    expect(twoProportionZTest(7, 70, 7, 70)).toEqual({ z: 0, pValue: 1 });
  });
});

describe("welchTTest (two-sided, Welch–Satterthwaite df; t > 0 when B's mean is higher)", () => {
  it("R's sleep data: t.test(extra ~ group, data = sleep) gives t = −1.8608, df = 17.776, p = 0.07939", () => {
    const group1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
    const group2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];
    const a = { mean: mean(group1), variance: variance(group1), n: 10 };
    const b = { mean: mean(group2), variance: variance(group2), n: 10 };
    const { t, df, pValue } = welchTTest(a, b);
    // scipy ttest_ind(group2, group1, equal_var=False): 1.8608134674868526, df 17.776473516178488, p 0.0793941401873583
    close(t, 1.8608134674868526, 1e-12);
    close(df, 17.776473516178488, 1e-12);
    close(pValue, 0.0793941401873583, 1e-10);
    expect(welchTTest(b, a).t).toBeCloseTo(-1.8608, 4);
  });

  it("large unequal samples: scipy ttest_ind_from_stats(102, 30, 800, 100, 20, 1000, equal_var=False)", () => {
    const { t, df, pValue } = welchTTest({ mean: 100, variance: 400, n: 1000 }, { mean: 102, variance: 900, n: 800 });
    close(t, 1.619552660357832, 1e-12);
    close(df, 1333.3695115507428, 1e-12);
    close(pValue, 0.10556487921592103, 1e-10);
  });

  it("one arm without variance still tests (df = n_B − 1): scipy gives t = 1.41421, p = 0.200200", () => {
    const { t, df, pValue } = welchTTest({ mean: 10, variance: 0, n: 5 }, { mean: 12, variance: 16, n: 8 });
    close(t, Math.SQRT2);
    close(df, 7);
    close(pValue, 0.20020007416624017, 1e-10);
  });

  it("has no evidence with fewer than 2 observations in an arm or no variance at all (never NaN)", () => {
    const none = { t: 0, df: 0, pValue: 1 };
    expect(welchTTest({ mean: 1, variance: 0, n: 1 }, { mean: 5, variance: 2, n: 50 })).toEqual(none);
    expect(welchTTest({ mean: 1, variance: 1, n: 0 }, { mean: 5, variance: 2, n: 50 })).toEqual(none);
    expect(welchTTest({ mean: 1, variance: 0, n: 20 }, { mean: 5, variance: 0, n: 20 })).toEqual(none);
  });
});
