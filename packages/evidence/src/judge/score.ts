/**
 * Score rules after Kayenta's WeightedSumScorer and ThresholdScoreClassifier: the score is the weighted share of
 * judged metrics that passed; any critical metric that is High or Low fails the canary with a score of 0.
 * NoData metrics are left out of the score, and when half or more of the metrics have no data the result is
 * 'insufficient' rather than a verdict built on the few that remain.
 */
import type { MetricClassification } from '@aiops/contracts';

export interface ScoredItem {
  classification: MetricClassification;
  critical: boolean;
  /** Relative weight, default 1. */
  weight?: number;
}

export interface ScoreOptions {
  /** Score at or above which the canary passes. Default 95. */
  passThreshold: number;
  /** Score at or above which the canary is marginal. Default 75. */
  marginalThreshold: number;
}

export interface ScoreResult {
  score: number;
  outcome: 'pass' | 'marginal' | 'fail' | 'insufficient';
  criticalFailures: number;
  judged: number;
  noData: number;
}

export const DEFAULT_SCORE_OPTIONS: ScoreOptions = { passThreshold: 95, marginalThreshold: 75 };

export function scoreClassifications(
  items: ReadonlyArray<ScoredItem>,
  options: ScoreOptions = DEFAULT_SCORE_OPTIONS,
): ScoreResult {
  let passWeight = 0;
  let judgedWeight = 0;
  let judged = 0;
  let noData = 0;
  let criticalFailures = 0;
  for (const item of items) {
    if (item.classification === 'NoData') {
      noData++;
      continue;
    }
    const weight = Math.max(0, item.weight ?? 1);
    judged++;
    judgedWeight += weight;
    if (item.classification === 'Pass') passWeight += weight;
    else if (item.critical) criticalFailures++;
  }
  const score = judgedWeight > 0 ? Math.round((passWeight / judgedWeight) * 10_000) / 100 : 0;
  if (criticalFailures > 0) return { score: 0, outcome: 'fail', criticalFailures, judged, noData };
  if (items.length === 0 || noData * 2 >= items.length)
    return { score, outcome: 'insufficient', criticalFailures, judged, noData };
  const outcome = score >= options.passThreshold ? 'pass' : score >= options.marginalThreshold ? 'marginal' : 'fail';
  return { score, outcome, criticalFailures, judged, noData };
}
