/**
 * Reference values: U and p-values from scipy 1.17 `scipy.stats.mannwhitneyu(x, y, alternative=..., method=...)`
 * (exact for the small tie-free cases, asymptotic with continuity correction otherwise), which agree with R's
 * `wilcox.test`. Hodges-Lehmann estimates and intervals: the small exact cases are worked by hand from the sorted
 * pairwise differences (R's exact branch); the [1,2,3,4] vs [10,20,30,40] case is Kayenta's own MannWhitneySuite
 * vector; the asymptotic ones come from an independent Python transcription of R's wilcox.test root finding
 * (scipy rankdata + brentq).
 */
import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '@aiops/contracts';
import { mannWhitney } from '@aiops/evidence';

function expectRelativelyClose(actual: number, expected: number, relative = 1e-9): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(Math.abs(expected) * relative + 1e-15);
}

describe('mannWhitney, exact distribution (no ties, n < 50)', () => {
  it('complete separation 3 vs 3: U=0, p=0.1 (1/20 each tail), hand-worked interval', () => {
    const two = mannWhitney([1, 2, 3], [4, 5, 6]);
    expect(two.method).toBe('exact');
    expect(two.u).toBe(0);
    expectRelativelyClose(two.pValue, 0.1);
    expectRelativelyClose(mannWhitney([1, 2, 3], [4, 5, 6], { alternative: 'less' }).pValue, 0.05);
    expect(mannWhitney([1, 2, 3], [4, 5, 6], { alternative: 'greater' }).pValue).toBe(1);
    // Differences x - y sorted: -5,-4,-4,-3,-3,-3,-2,-2,-1; median -3. qwilcox(0.025,3,3)=0 -> 1: [d(1), d(9)].
    expect(two.estimate).toBe(-3);
    expect(two.confidenceInterval).toEqual([-5, -1]);
  });

  it("matches Kayenta's MannWhitneySuite vector: [10,20,30,40] vs [1,2,3,4] -> [6, 39], estimate 22.5, p=2/70", () => {
    const r = mannWhitney([10, 20, 30, 40], [1, 2, 3, 4], { confidenceLevel: 0.95 });
    expect(r.u).toBe(16);
    expect(r.confidenceInterval).toEqual([6, 39]);
    expect(r.estimate).toBe(22.5);
    expectRelativelyClose(r.pValue, 2 / 70);
  });

  it('tiny samples: n=1 vs 1 and n=1 vs 2', () => {
    const one = mannWhitney([3], [1]);
    expect(one.u).toBe(1);
    expect(one.pValue).toBe(1);
    expect(one.estimate).toBe(2);
    expectRelativelyClose(mannWhitney([3], [1], { alternative: 'greater' }).pValue, 0.5);

    const r = mannWhitney([5], [1, 2]);
    expect(r.u).toBe(2);
    expectRelativelyClose(r.pValue, 2 / 3);
    expectRelativelyClose(mannWhitney([5], [1, 2], { alternative: 'greater' }).pValue, 1 / 3);
    expect(mannWhitney([5], [1, 2], { alternative: 'less' }).pValue).toBe(1);
    expect(r.estimate).toBe(3.5); // median of 4 and 3
  });

  it('8 vs 10 complete separation: p = 2 / C(18,8) = 4.5706e-5', () => {
    const x = [1, 2, 3, 4, 5, 6, 7, 8];
    const y = [9, 10, 11, 12, 13, 14, 15, 16, 17, 18];
    expectRelativelyClose(mannWhitney(x, y).pValue, 4.570592805886923e-5);
    expectRelativelyClose(mannWhitney(x, y, { alternative: 'less' }).pValue, 2.2852964029434616e-5);
  });

  it('one-sided intervals have an infinite end', () => {
    const greater = mannWhitney([10, 20, 30, 40], [1, 2, 3, 4], { alternative: 'greater' });
    expect(greater.confidenceInterval[1]).toBe(Infinity);
    const less = mannWhitney([10, 20, 30, 40], [1, 2, 3, 4], { alternative: 'less' });
    expect(less.confidenceInterval[0]).toBe(-Infinity);
  });
});

describe('mannWhitney, normal approximation', () => {
  it('ties: [1,2,2,3] vs [2,3,3,4] -> U=3, tie- and continuity-corrected p-values', () => {
    const x = [1, 2, 2, 3];
    const y = [2, 3, 3, 4];
    const two = mannWhitney(x, y);
    expect(two.method).toBe('asymptotic');
    expect(two.ties).toBe(true);
    expect(two.u).toBe(3);
    expectRelativelyClose(two.pValue, 0.1720337089218229, 1e-7);
    expectRelativelyClose(mannWhitney(x, y, { alternative: 'less' }).pValue, 0.08601685446091145, 1e-7);
    expectRelativelyClose(mannWhitney(x, y, { alternative: 'greater' }).pValue, 0.9524598065992065, 1e-7);
    expect(two.estimate).toBeCloseTo(-1, 6);
    expect(two.confidenceInterval[0]).toBeCloseTo(-3, 6);
    expect(two.confidenceInterval[1]).toBeCloseTo(1, 6);
  });

  it('constant but different sides: [5,5,5] vs [1,1,1]', () => {
    const r = mannWhitney([5, 5, 5], [1, 1, 1]);
    expect(r.u).toBe(9);
    expectRelativelyClose(r.pValue, 0.04685417760387376, 1e-7);
    expectRelativelyClose(
      mannWhitney([5, 5, 5], [1, 1, 1], { alternative: 'greater' }).pValue,
      0.02342708880193688,
      1e-7,
    );
    expect(r.estimate).toBe(4);
    expect(r.confidenceInterval).toEqual([4, 4]);
  });

  it('identical samples: U at its mean, p = 1', () => {
    const r = mannWhitney([1, 2, 3, 4], [1, 2, 3, 4]);
    expect(r.u).toBe(8);
    expect(r.pValue).toBe(1);
    expect(r.estimate).toBeCloseTo(0, 9);
  });

  it('all observations equal: p = 1 rather than NaN', () => {
    const r = mannWhitney([2, 2, 2], [2, 2]);
    expect(r.pValue).toBe(1);
    expect(r.estimate).toBe(0);
  });

  it('60 vs 60 with ties (rounded normal draws): U, p and the 98% interval match R', () => {
    const x = [
      12.0, 12.6, 11.5, 10.2, 11.1, 10.0, 12.1, 14.7, 11.0, 10.8, 13.0, 12.7, 12.2, 10.1, 11.9, 13.4, 9.3, 11.1, 8.2,
      9.4, 8.3, 11.5, 9.5, 12.5, 12.3, 11.6, 7.0, 10.9, 11.9, 12.2, 8.9, 11.0, 10.0, 10.4, 14.1, 10.4, 11.9, 13.8, 10.8,
      11.8, 12.2, 12.1, 9.5, 12.2, 14.7, 8.9, 13.7, 12.2, 10.7, 16.0, 13.5, 9.6, 12.1, 13.2, 11.6, 13.4, 11.9, 13.3,
      14.9, 10.6,
    ];
    const y = [
      10.4, 9.1, 10.3, 7.6, 8.8, 9.6, 11.8, 12.3, 7.4, 8.4, 11.3, 6.0, 9.1, 9.8, 12.5, 11.4, 9.3, 9.3, 9.5, 13.0, 9.1,
      9.4, 10.7, 9.8, 9.6, 7.8, 10.0, 9.1, 12.3, 11.3, 10.0, 11.3, 9.3, 12.1, 10.0, 11.2, 7.4, 10.7, 6.6, 5.9, 9.4, 8.2,
      10.3, 14.5, 8.3, 8.8, 10.4, 11.0, 9.6, 9.6, 11.4, 11.0, 7.9, 9.8, 10.1, 7.9, 10.5, 8.3, 11.9, 10.4,
    ];
    const r = mannWhitney(x, y, { confidenceLevel: 0.98 });
    expect(r.u).toBe(2756.5);
    expectRelativelyClose(r.pValue, 5.185708894101366e-7, 1e-6);
    expectRelativelyClose(mannWhitney(x, y, { alternative: 'greater' }).pValue, 2.592854447050683e-7, 1e-6);
    expect(r.confidenceInterval[0]).toBeCloseTo(1.0, 6);
    expect(r.confidenceInterval[1]).toBeCloseTo(2.5, 6);
    expect(r.estimate).toBeCloseTo(1.8, 6);
  });

  it('forcing the asymptotic method on a tie-free sample', () => {
    const r = mannWhitney([1, 2, 3], [4, 5, 6], { exact: false });
    expect(r.method).toBe('asymptotic');
    // z = (0 - 4.5 + 0.5) / sqrt(9 * 7 / 12) = -1.7457; 2 * Phi(-1.7457) = 0.080856 (scipy asymptotic).
    expect(r.pValue).toBeCloseTo(0.08085559, 6);
  });
});

describe('mannWhitney: which method, and one-sided answers', () => {
  const tieFree = (n: number, offset: number) => Array.from({ length: n }, (_, i) => i * 2 + offset);

  it('uses the exact distribution only while both samples are under 50 and tie-free, unless told', () => {
    // The other side small: the exact distribution costs m * n * (m * n) steps, and mutation testing reruns this.
    expect(mannWhitney(tieFree(49, 0), tieFree(2, 1)).method).toBe('exact');
    expect(mannWhitney(tieFree(2, 0), tieFree(49, 1)).method).toBe('exact');
    expect(mannWhitney(tieFree(50, 0), tieFree(10, 1)).method).toBe('asymptotic');
    expect(mannWhitney(tieFree(10, 0), tieFree(50, 1)).method).toBe('asymptotic');
    expect(mannWhitney(tieFree(60, 0), tieFree(2, 1), { exact: true }).method).toBe('exact');
    expect(mannWhitney([1, 2, 2], [3, 4, 5], { exact: true }).method).toBe('asymptotic');
    expect(mannWhitney(tieFree(5, 0), tieFree(5, 1), { exact: 'auto' }).method).toBe('exact');
  });

  it('exact one-sided p-values count the tail including the observed U (U=1 for 3 vs 3: 19/20, 2/20)', () => {
    // x=[1,2,4] vs y=[3,5,6]: one pair with x > y.
    const x = [1, 2, 4];
    const y = [3, 5, 6];
    expect(mannWhitney(x, y).u).toBe(1);
    expectRelativelyClose(mannWhitney(x, y, { alternative: 'greater' }).pValue, 0.95);
    expectRelativelyClose(mannWhitney(x, y, { alternative: 'less' }).pValue, 0.1);
    expectRelativelyClose(mannWhitney(x, y).pValue, 0.2);
    // The mirror image: U=8 of 9, above the mean.
    expectRelativelyClose(mannWhitney(y, x).pValue, 0.2);
    expectRelativelyClose(mannWhitney(y, x, { alternative: 'greater' }).pValue, 0.1);
  });

  it("exact one-sided intervals take alpha in one tail (Kayenta's vector: [7, Inf) and (-Inf, 38])", () => {
    // Sorted differences: 6,7,8,9,16,...,38,39; qwilcox(0.05, 4, 4) = 2 -> the 2nd from each end.
    const x = [10, 20, 30, 40];
    const y = [1, 2, 3, 4];
    expect(mannWhitney(x, y, { alternative: 'greater' }).confidenceInterval).toEqual([7, Infinity]);
    expect(mannWhitney(x, y, { alternative: 'less' }).confidenceInterval).toEqual([-Infinity, 38]);
  });

  it('asymptotic one-sided intervals are tighter than the two-sided one at the same level', () => {
    const x = [1, 2, 2, 3, 5, 6, 6, 8, 9, 9];
    const y = [4, 5, 5, 7, 8, 9, 10, 10, 12, 13];
    const two = mannWhitney(x, y);
    const greater = mannWhitney(x, y, { alternative: 'greater' });
    const less = mannWhitney(x, y, { alternative: 'less' });
    expect(greater.confidenceInterval[1]).toBe(Infinity);
    expect(less.confidenceInterval[0]).toBe(-Infinity);
    expect(greater.confidenceInterval[0]).toBeGreaterThan(two.confidenceInterval[0]);
    expect(less.confidenceInterval[1]).toBeLessThan(two.confidenceInterval[1]);
    expect(greater.confidenceInterval[0]).toBeLessThan(two.estimate);
    expect(less.confidenceInterval[1]).toBeGreaterThan(two.estimate);
    expect(two.estimate).toBeGreaterThan(two.confidenceInterval[0]);
    expect(two.estimate).toBeLessThan(two.confidenceInterval[1]);
  });

  it('reports its inputs: sizes, ties, level and z only for the normal approximation', () => {
    const exact = mannWhitney([1, 2, 3], [4, 5, 6, 7], { confidenceLevel: 0.9 });
    expect(exact).toMatchObject({ nx: 3, ny: 4, ties: false, confidenceLevel: 0.9, method: 'exact' });
    expect(exact).not.toHaveProperty('z');
    const approx = mannWhitney([1, 2, 2, 3], [2, 3, 3, 4]);
    expect(approx).toMatchObject({ nx: 4, ny: 4, ties: true, confidenceLevel: 0.95 });
    expect(approx.z).toBeLessThan(0);
  });
});

describe('mannWhitney input checks', () => {
  it('rejects empty samples and NaN with a typed error naming the sample', () => {
    expect(() => mannWhitney([], [1])).toThrow(InvalidRequestError);
    expect(() => mannWhitney([1], [])).toThrow(/y: must not be empty/);
    expect(() => mannWhitney([1, NaN], [1])).toThrow(/x: must not contain NaN/);
    expect(() => mannWhitney([1], [2], { confidenceLevel: 1 })).toThrow(/confidenceLevel/);
    expect(() => mannWhitney([1], [2], { confidenceLevel: 0 })).toThrow(/confidenceLevel/);
    expect(() => mannWhitney([1], [2], { confidenceLevel: Number.NaN })).toThrow(/confidenceLevel/);
    expect(() => mannWhitney([1], [Number.NaN])).toThrow(/y: must not contain NaN/);
  });
});

// From the survivors of `pnpm mutation` on the judge: properties that need no outside reference.
describe('mannWhitney: symmetry, the auto method and the exact quantile', () => {
  it('swapping the samples mirrors the answer: same two-sided p, one-sided tails exchanged', () => {
    // Ties only among the y values above every x: the tie correction must still see them.
    const x = [1, 2, 3, 4, 5, 6];
    const y = [7, 8, 8, 9, 9, 10];
    expectRelativelyClose(mannWhitney(x, y).pValue, mannWhitney(y, x).pValue, 1e-12);
    // The continuity correction of 'less' when the data go the other way (U above its mean).
    const a = [1, 2, 2, 3];
    const b = [2, 3, 3, 4];
    expectRelativelyClose(mannWhitney(b, a, { alternative: 'less' }).pValue, 0.9524598065992065, 1e-7);
    expectRelativelyClose(
      mannWhitney(b, a, { alternative: 'less' }).pValue,
      mannWhitney(a, b, { alternative: 'greater' }).pValue,
      1e-12,
    );
  });

  it("exact: 'auto' is the default rule, not a request for the exact distribution", () => {
    const tieFree = (n: number, offset: number) => Array.from({ length: n }, (_, i) => i * 2 + offset);
    expect(mannWhitney(tieFree(60, 0), tieFree(2, 1), { exact: 'auto' }).method).toBe('asymptotic');
  });

  it('an exact tail probability equal to alpha / 2 gives that quantile (R qwilcox: 3 for P = 7/70 at 4 vs 4)', () => {
    // Differences 6,7,8,9,16,...,36,37,38,39; qu = 3 -> [d(3), d(14)] = [8, 37] at 80 % (R's wilcox.test).
    const r = mannWhitney([10, 20, 30, 40], [1, 2, 3, 4], { confidenceLevel: 0.8 });
    expect(r.confidenceInterval).toEqual([8, 37]);
  });
});
