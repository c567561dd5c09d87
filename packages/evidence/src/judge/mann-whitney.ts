/**
 * Mann-Whitney U test (Wilcoxon rank-sum) with the Hodges-Lehmann location shift and its confidence interval,
 * following R's `wilcox.test(x, y, conf.int = TRUE, correct = TRUE)`, which Kayenta's judge ports:
 * - exact null distribution when both samples have fewer than 50 values and there are no ties;
 * - otherwise the normal approximation with tie and continuity corrections, and the interval/estimate found as
 *   the roots of the standardised statistic as a function of the shift (what Kayenta's MannWhitney.scala does).
 * Samples are sorted once and every evaluation is a linear merge, so 100k-value samples stay cheap.
 */
import erfc from '@stdlib/math-base-special-erfc';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import { InvalidRequestError } from '@aiops/contracts';

export type Alternative = 'two-sided' | 'less' | 'greater';

export interface MannWhitneyOptions {
  /** 'greater': x tends to be larger than y. Default 'two-sided'. */
  alternative?: Alternative;
  /** Confidence level of the interval for the shift. Default 0.95. */
  confidenceLevel?: number;
  /** 'auto' (default) uses the exact distribution when both n < 50 and there are no ties, like R. */
  exact?: boolean | 'auto';
}

export interface MannWhitneyResult {
  /** U of x: pairs with x > y, plus half the tied pairs (R's W, scipy's U1). */
  u: number;
  pValue: number;
  method: 'exact' | 'asymptotic';
  /** Standardised statistic (asymptotic method only). */
  z?: number;
  /** Hodges-Lehmann estimate of the location shift x - y. */
  estimate: number;
  /** Interval for the shift x - y; one-sided alternatives have an infinite end. */
  confidenceInterval: [number, number];
  confidenceLevel: number;
  nx: number;
  ny: number;
  ties: boolean;
}

const EXACT_LIMIT = 50;

/** P(Z >= z) for a standard normal, accurate far into the tail (erfc, not 1 - cdf). */
function normalUpperTail(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

function sortedCopy(values: readonly number[], field: string): Float64Array {
  if (values.length === 0) throw new InvalidRequestError(field, 'must not be empty');
  const out = Float64Array.from(values);
  for (const v of out) if (Number.isNaN(v)) throw new InvalidRequestError(field, 'must not contain NaN');
  return out.sort();
}

interface RankSummary {
  /** U of x after shifting x by -shift. */
  u: number;
  /** Sum of t^3 - t over tie groups of the combined sample. */
  tieSum: number;
}

/** One merge pass over the sorted samples: U of (x - shift) against y, and the tie groups. */
function rankSummary(x: Float64Array, y: Float64Array, shift: number): RankSummary {
  let i = 0;
  let j = 0;
  let u = 0;
  let tieSum = 0;
  let yBelow = 0;
  while (i < x.length || j < y.length) {
    const xv = i < x.length ? x[i]! - shift : Infinity;
    const yv = j < y.length ? y[j]! : Infinity;
    const v = Math.min(xv, yv);
    let cx = 0;
    let cy = 0;
    while (i < x.length && x[i]! - shift === v) {
      cx++;
      i++;
    }
    while (j < y.length && y[j] === v) {
      cy++;
      j++;
    }
    u += cx * yBelow + 0.5 * cx * cy;
    const t = cx + cy;
    if (t > 1) tieSum += t * t * t - t;
    yBelow += cy;
  }
  return { u, tieSum };
}

function asymptoticSigma(nx: number, ny: number, tieSum: number): number {
  const n = nx + ny;
  return Math.sqrt(((nx * ny) / 12) * (n + 1 - tieSum / (n * (n - 1))));
}

function continuityCorrection(alternative: Alternative, dz: number): number {
  if (alternative === 'greater') return 0.5;
  if (alternative === 'less') return -0.5;
  return Math.sign(dz) * 0.5;
}

/**
 * Null distribution of U for sizes (m, n) without ties, as probabilities indexed by u.
 * Recurrence on the largest value: it belongs to x with probability m/(m+n) and then beats all n values of y.
 */
function exactDistribution(m: number, n: number): Float64Array {
  let previous: Float64Array[] = Array.from({ length: n + 1 }, () => Float64Array.of(1));
  for (let i = 1; i <= m; i++) {
    const row: Float64Array[] = [Float64Array.of(1)];
    for (let j = 1; j <= n; j++) {
      const dist = new Float64Array(i * j + 1);
      const fromX = previous[j]!;
      const fromY = row[j - 1]!;
      const px = i / (i + j);
      const py = j / (i + j);
      for (let u = 0; u < fromX.length; u++) dist[u + j]! += px * fromX[u]!;
      for (let u = 0; u < fromY.length; u++) dist[u]! += py * fromY[u]!;
      row.push(dist);
    }
    previous = row;
  }
  return previous[n]!;
}

/** Cumulative null distributions by sizes: the analyst compares many metrics with the same sample sizes. */
const cdfCache = new Map<string, Float64Array>();
const CDF_CACHE_LIMIT = 64;

function exactCdf(m: number, n: number): Float64Array {
  const key = `${m}x${n}`;
  let cdf = cdfCache.get(key);
  if (cdf === undefined) {
    cdf = cumulative(exactDistribution(m, n));
    if (cdfCache.size >= CDF_CACHE_LIMIT) cdfCache.delete(cdfCache.keys().next().value!);
    cdfCache.set(key, cdf);
  }
  return cdf;
}

function cumulative(dist: Float64Array): Float64Array {
  const out = new Float64Array(dist.length);
  let sum = 0;
  for (let u = 0; u < dist.length; u++) {
    sum += dist[u]!;
    out[u] = sum;
  }
  return out;
}

/** P(U <= q). */
function lowerTail(cdf: Float64Array, q: number): number {
  if (q < 0) return 0;
  return Math.min(1, cdf[Math.min(Math.floor(q), cdf.length - 1)]!);
}

/** Smallest q with P(U <= q) >= p (R's qwilcox), with a small fuzz for rounding in the cumulative sums. */
function exactQuantile(cdf: Float64Array, p: number): number {
  for (let q = 0; q < cdf.length; q++) if (cdf[q]! >= p * (1 - 64 * Number.EPSILON)) return q;
  return cdf.length - 1;
}

function exactPValue(cdf: Float64Array, u: number, mean: number, alternative: Alternative): number {
  const upper = (q: number) => 1 - lowerTail(cdf, q - 1); // P(U >= q)
  if (alternative === 'greater') return Math.min(1, upper(u));
  if (alternative === 'less') return lowerTail(cdf, u);
  const p = u > mean ? upper(u) : lowerTail(cdf, u);
  return Math.min(1, 2 * p);
}

function median(sorted: Float64Array): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function exactInterval(
  x: Float64Array,
  y: Float64Array,
  cdf: Float64Array,
  alternative: Alternative,
  alpha: number,
): { estimate: number; interval: [number, number] } {
  const diffs = new Float64Array(x.length * y.length);
  let k = 0;
  for (const xv of x) for (const yv of y) diffs[k++] = xv - yv;
  diffs.sort();
  const total = x.length * y.length;
  // R indexes diffs from 1: diffs[qu] is diffs[qu - 1] here.
  const qu = Math.max(1, exactQuantile(cdf, alternative === 'two-sided' ? alpha / 2 : alpha));
  const ql = total - qu;
  const interval: [number, number] =
    alternative === 'greater'
      ? [diffs[qu - 1]!, Infinity]
      : alternative === 'less'
        ? [-Infinity, diffs[ql]!]
        : [diffs[qu - 1]!, diffs[ql]!];
  return { estimate: median(diffs), interval };
}

/** Root of the standardised statistic minus zq over the shift (R's wdiff/uniroot, here by bisection on a step function). */
function asymptoticRoot(x: Float64Array, y: Float64Array, alternative: Alternative, zq: number): number {
  const nx = x.length;
  const ny = y.length;
  const muMin = x[0]! - y[ny - 1]!;
  const muMax = x[nx - 1]! - y[0]!;
  if (muMin === muMax) return muMin;
  const f = (shift: number): number => {
    const { u, tieSum } = rankSummary(x, y, shift);
    const dz = u - (nx * ny) / 2;
    const sigma = asymptoticSigma(nx, ny, tieSum);
    // All values tied at this shift: the statistic is exactly centred.
    if (sigma === 0) return -zq;
    return (dz - continuityCorrection(alternative, dz)) / sigma - zq;
  };
  // f decreases with the shift; at the extremes R returns the end of the range (e.g. wilcox.test(1, 2:60)).
  if (f(muMin) <= 0) return muMin;
  if (f(muMax) >= 0) return muMax;
  let lo = muMin;
  let hi = muMax;
  const tolerance = Math.max(Math.abs(muMin), Math.abs(muMax)) * 1e-12 + Number.MIN_VALUE;
  for (let iteration = 0; iteration < 200 && hi - lo > tolerance; iteration++) {
    const mid = lo + (hi - lo) / 2;
    if (mid <= lo || mid >= hi) break;
    if (f(mid) > 0) lo = mid;
    else hi = mid;
  }
  return lo + (hi - lo) / 2;
}

export function mannWhitney(
  x: readonly number[],
  y: readonly number[],
  options: MannWhitneyOptions = {},
): MannWhitneyResult {
  const alternative = options.alternative ?? 'two-sided';
  const confidenceLevel = options.confidenceLevel ?? 0.95;
  if (!(confidenceLevel > 0 && confidenceLevel < 1)) {
    throw new InvalidRequestError('confidenceLevel', 'must be between 0 and 1 (exclusive)');
  }
  const sx = sortedCopy(x, 'x');
  const sy = sortedCopy(y, 'y');
  const nx = sx.length;
  const ny = sy.length;
  const { u, tieSum } = rankSummary(sx, sy, 0);
  const ties = tieSum > 0;
  const mean = (nx * ny) / 2;
  const alpha = 1 - confidenceLevel;
  const useExact =
    options.exact === 'auto' || options.exact === undefined
      ? nx < EXACT_LIMIT && ny < EXACT_LIMIT && !ties
      : options.exact && !ties;

  if (useExact) {
    const cdf = exactCdf(nx, ny);
    const { estimate, interval } = exactInterval(sx, sy, cdf, alternative, alpha);
    return {
      u,
      pValue: exactPValue(cdf, u, mean, alternative),
      method: 'exact',
      estimate,
      confidenceInterval: interval,
      confidenceLevel,
      nx,
      ny,
      ties,
    };
  }

  const sigma = asymptoticSigma(nx, ny, tieSum);
  let z = 0;
  let pValue = 1;
  if (sigma > 0) {
    const dz = u - mean;
    z = (dz - continuityCorrection(alternative, dz)) / sigma;
    pValue =
      alternative === 'greater'
        ? normalUpperTail(z)
        : alternative === 'less'
          ? normalUpperTail(-z)
          : Math.min(1, 2 * normalUpperTail(Math.abs(z)));
  }
  const upperQuantile = normalQuantile(1 - (alternative === 'two-sided' ? alpha / 2 : alpha), 0, 1);
  const interval: [number, number] =
    alternative === 'greater'
      ? [asymptoticRoot(sx, sy, alternative, upperQuantile), Infinity]
      : alternative === 'less'
        ? [-Infinity, asymptoticRoot(sx, sy, alternative, -upperQuantile)]
        : [asymptoticRoot(sx, sy, alternative, upperQuantile), asymptoticRoot(sx, sy, alternative, -upperQuantile)];
  const estimate = asymptoticRoot(sx, sy, alternative, 0);
  return { u, pValue, method: 'asymptotic', z, estimate, confidenceInterval: interval, confidenceLevel, nx, ny, ties };
}
