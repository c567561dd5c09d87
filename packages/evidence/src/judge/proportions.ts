/**
 * Rare events (5xx answers, failed requests) are proportions, not distributions: Mann-Whitney on 0/1 samples has a
 * zero location shift whenever errors are under half the requests. So error rates get a one-sided two-proportion
 * z-test (pooled), with the same tolerance and confidence conventions as the Mann-Whitney judge.
 */
import erfc from '@stdlib/math-base-special-erfc';
import type { MetricClassification } from '@aiops/contracts';

export interface ProportionInput {
  canary: { events: number; total: number };
  stable: { events: number; total: number };
  /** Default 0.98. */
  confidenceLevel?: number;
  /** The canary rate must exceed stable's by more than this fraction of stable's rate. Default 0.25. */
  tolerance?: number;
  /** ... and by at least this much in absolute terms (0.005 = half a percentage point; a rise of exactly this counts). Default 0.005. */
  absoluteFloor?: number;
  /** Fewer requests than this on either side: NoData. Default 30. */
  minTotal?: number;
}

export interface ProportionResult {
  classification: MetricClassification;
  canaryRate?: number;
  stableRate?: number;
  z?: number;
  /** One-sided: P(canary rate is not higher). */
  pValue?: number;
  reason: string;
}

export function compareErrorRates(input: ProportionInput): ProportionResult {
  const confidenceLevel = input.confidenceLevel ?? 0.98;
  const tolerance = input.tolerance ?? 0.25;
  const floor = input.absoluteFloor ?? 0.005;
  const minTotal = input.minTotal ?? 30;
  const { canary, stable } = input;
  if (canary.total < minTotal || stable.total < minTotal) {
    return {
      classification: 'NoData',
      reason: `too few requests to compare (${canary.total} canary, ${stable.total} stable; ${minTotal} needed)`,
    };
  }
  const canaryRate = canary.events / canary.total;
  const stableRate = stable.events / stable.total;
  const pooled = (canary.events + stable.events) / (canary.total + stable.total);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / canary.total + 1 / stable.total));
  if (se === 0) return { classification: 'Pass', canaryRate, stableRate, reason: 'identical rates on both sides' };
  const z = (canaryRate - stableRate) / se;
  const pValue = 0.5 * erfc(z / Math.SQRT2);
  const significant = pValue < 1 - confidenceLevel;
  // A floor is met exactly (as the Mann-Whitney judge's effect-size floors); the tolerance must be exceeded.
  const rise = canaryRate - stableRate;
  const material = rise > tolerance * stableRate && rise >= floor;
  const pct = (r: number) => `${(100 * r).toFixed(2)}%`;
  if (significant && material) {
    return {
      classification: 'High',
      canaryRate,
      stableRate,
      z,
      pValue,
      reason: `canary ${pct(canaryRate)} vs stable ${pct(stableRate)} (one-sided p=${pValue.toExponential(2)})`,
    };
  }
  return {
    classification: 'Pass',
    canaryRate,
    stableRate,
    z,
    pValue,
    reason: `canary ${pct(canaryRate)} vs stable ${pct(stableRate)}: not materially higher at ${confidenceLevel} confidence`,
  };
}
