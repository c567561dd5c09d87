/**
 * Metric classification, after Kayenta's NetflixACAJudge / MannWhitneyClassifier: the canary is High (or Low)
 * when the confidence interval of the Hodges-Lehmann shift lies beyond `tolerance` x |estimate| in that direction,
 * the shift is significant at the same level, and the effect is large enough to matter (the effect-size floor).
 * A change in a direction the metric does not care about is a Pass.
 */
import type { MetricClassification } from '@aiops/contracts';
import { mannWhitney } from './mann-whitney.js';

export type MetricDirection = 'increase' | 'decrease' | 'either';

/** How large an effect must be before it counts (Kayenta's `effectSize.allowedIncrease/allowedDecrease`). */
export interface EffectSizeFloor {
  /** High only when mean(canary) / mean(stable) >= this. Default 1 (no extra requirement). */
  increaseRatio?: number;
  /** Low only when mean(canary) / mean(stable) <= this. Default 1. */
  decreaseRatio?: number;
  /** High/Low only when |shift| (Hodges-Lehmann, metric units) >= this. Default 0. */
  absolute?: number;
}

export interface ClassifyMetricInput {
  canary: readonly number[];
  stable: readonly number[];
  /** Which change is bad: 'increase' for latency or errors, 'decrease' for success rate, 'either'. */
  direction: MetricDirection;
  /** Fraction of |estimate| the interval must clear. Default 0.25 (Kayenta). */
  tolerance?: number;
  /** Default 0.98 (Kayenta's NetflixACAJudge). */
  confidenceLevel?: number;
  effectSizeFloor?: EffectSizeFloor;
  critical?: boolean;
  /** 'remove' (default) drops NaN and infinite values; 'replace' turns NaN into 0 (no data = nothing happened). */
  nanStrategy?: 'remove' | 'replace';
  /** Fewer values on either side than this is NoData. Default 3. */
  minSamples?: number;
}

export interface SampleSummary {
  count: number;
  median?: number;
  mean?: number;
}

export interface MetricClassificationResult {
  classification: MetricClassification;
  /** Two-sided Mann-Whitney p-value. */
  pValue?: number;
  /** mean(canary) / mean(stable); Infinity when stable is 0 and the canary is not. */
  effectSize?: number;
  /** Hodges-Lehmann shift canary - stable, and its interval. */
  estimate?: number;
  confidenceInterval?: [number, number];
  critical: boolean;
  reason: string;
  canary: SampleSummary;
  stable: SampleSummary;
}

function clean(values: readonly number[], strategy: 'remove' | 'replace'): number[] {
  const out: number[] = [];
  for (const v of values) {
    if (Number.isNaN(v)) {
      if (strategy === 'replace') out.push(0);
    } else if (Number.isFinite(v)) out.push(v);
  }
  return out;
}

function summarise(sorted: Float64Array): SampleSummary {
  if (sorted.length === 0) return { count: 0 };
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  let sum = 0;
  for (const v of sorted) sum += v;
  return { count: sorted.length, median, mean: sum / sorted.length };
}

function meanRatio(canaryMean: number, stableMean: number): number {
  if (stableMean === 0) return canaryMean === 0 ? 1 : canaryMean > 0 ? Infinity : -Infinity;
  return canaryMean / stableMean;
}

function sameValues(a: Float64Array, b: Float64Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

const format = (v: number): string => (Number.isFinite(v) ? Number(v.toPrecision(4)).toString() : String(v));

export function classifyMetric(input: ClassifyMetricInput): MetricClassificationResult {
  const tolerance = input.tolerance ?? 0.25;
  const confidenceLevel = input.confidenceLevel ?? 0.98;
  const critical = input.critical ?? false;
  const minSamples = Math.max(1, input.minSamples ?? 3);
  const canaryValues = clean(input.canary, input.nanStrategy ?? 'remove');
  const stableValues = clean(input.stable, input.nanStrategy ?? 'remove');
  const sortedCanary = Float64Array.from(canaryValues).sort();
  const sortedStable = Float64Array.from(stableValues).sort();
  const canary = summarise(sortedCanary);
  const stable = summarise(sortedStable);
  const base = { critical, canary, stable };

  if (canaryValues.length < minSamples || stableValues.length < minSamples) {
    const which =
      canaryValues.length < minSamples ? `canary has ${canaryValues.length}` : `stable has ${stableValues.length}`;
    return {
      ...base,
      classification: 'NoData',
      reason: `not enough data: ${which} value(s), at least ${minSamples} needed per side`,
    };
  }
  const effectSize = meanRatio(canary.mean!, stable.mean!);
  if (sameValues(sortedCanary, sortedStable)) {
    return {
      ...base,
      classification: 'Pass',
      effectSize: 1,
      pValue: 1,
      reason: 'canary and stable values are identical',
    };
  }
  const [lowest, highest] = [
    Math.min(sortedCanary[0]!, sortedStable[0]!),
    Math.max(sortedCanary.at(-1)!, sortedStable.at(-1)!),
  ];
  if (lowest === highest) {
    return {
      ...base,
      classification: 'Pass',
      effectSize: 1,
      pValue: 1,
      reason: 'every value is the same on both sides',
    };
  }

  const test = mannWhitney(canaryValues, stableValues, { confidenceLevel });
  const [lower, upper] = test.confidenceInterval;
  const bound = tolerance * Math.abs(test.estimate);
  const significant = test.pValue < 1 - confidenceLevel;
  const floor = input.effectSizeFloor ?? {};
  const bigEnough = Math.abs(test.estimate) >= (floor.absolute ?? 0);
  const isHigher = lower > bound && significant;
  const isLower = upper < -bound && significant;
  const stats = {
    pValue: test.pValue,
    effectSize,
    estimate: test.estimate,
    confidenceInterval: test.confidenceInterval,
  };
  const shift = `shift ${format(test.estimate)} [${format(lower)}, ${format(upper)}] at ${confidenceLevel * 100}%, p=${format(test.pValue)}, mean ratio ${format(effectSize)}`;

  if (isHigher || isLower) {
    const caresAboutIt = input.direction === 'either' || input.direction === (isHigher ? 'increase' : 'decrease');
    const ratioFloorMet = isHigher
      ? effectSize >= (floor.increaseRatio ?? 1)
      : effectSize <= (floor.decreaseRatio ?? 1);
    const word = isHigher ? 'higher' : 'lower';
    if (!caresAboutIt) {
      return {
        ...base,
        ...stats,
        classification: 'Pass',
        reason: `canary is ${word} than stable, a direction this metric does not penalise (${shift})`,
      };
    }
    if (!ratioFloorMet || !bigEnough) {
      return {
        ...base,
        ...stats,
        classification: 'Pass',
        reason: `canary is ${word} than stable but below the effect-size floor (${shift})`,
      };
    }
    return {
      ...base,
      ...stats,
      classification: isHigher ? 'High' : 'Low',
      reason: `canary is significantly ${word} than stable${critical ? ' (critical metric)' : ''} (${shift})`,
    };
  }
  return {
    ...base,
    ...stats,
    classification: 'Pass',
    reason: `no significant difference beyond the ${tolerance} tolerance (${shift})`,
  };
}
