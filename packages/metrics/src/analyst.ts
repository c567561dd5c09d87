/**
 * The metrics analyst: queries Prometheus for canary and stable, classifies each metric with the judge, scores
 * the result and turns failing metrics into findings. Prometheus is optional evidence: when it is not configured
 * the analyst says so in a note; when it fails, the note and `failure` say so, and the policy lets a rejection
 * stand on the other evidence but never a promotion. Only the caller's abort propagates.
 */
import { DependencyError, EvidenceIds, abortReason } from '@aiops/contracts';
import type {
  CallOptions,
  Finding,
  MetricComparison,
  MetricSeries,
  MetricsEvidence,
  MetricsSource,
} from '@aiops/contracts';
import { classifyMetric, DEFAULT_SCORE_OPTIONS, scoreClassifications } from '@aiops/evidence';
import { renderQuery, resolveQueries } from './catalog.js';
import type { MetricQuery, MetricsPreset, SideTarget, UserQuery } from './catalog.js';

export interface CanaryMetricsTarget {
  namespace: string;
  canary: SideTarget;
  stable: SideTarget;
  /** Length of the analysis window ending at `now`. */
  windowSeconds: number;
  stepSeconds: number;
  now: Date;
}

export interface JudgeConfig {
  tolerance?: number;
  confidenceLevel?: number;
  passThreshold?: number;
  marginalThreshold?: number;
  minSamples?: number;
  nanStrategy?: 'remove' | 'replace';
}

export interface MetricsAnalystConfig {
  preset: MetricsPreset;
  queries?: UserQuery[];
  judge?: JudgeConfig;
  /** Label carrying the pod-template hash in Prometheus (e.g. 'rollouts_pod_template_hash'); default: pod names. */
  sideLabel?: string;
  /** PromQL range for rate()/increase(). Default max(2 x step, 60s). */
  rateWindowSeconds?: number;
}

export type MetricsAnalysis = MetricsEvidence & { findings: Finding[] };

type SideName = 'canary' | 'stable';

type SideResult =
  | { ok: true; values: number[]; series: number }
  | { ok: false; reason: string; dependencyFailure: boolean };

/** All samples of all returned series: a query that is not aggregated still compares every pod's values. */
function flatten(series: MetricSeries[]): number[] {
  return series.flatMap((s) => s.values.map(([, v]) => v));
}

const format = (v: number | undefined): string =>
  v === undefined || !Number.isFinite(v) ? String(v) : Number(v.toPrecision(4)).toString();

function notConfigured(): MetricsAnalysis {
  return {
    source: 'prometheus',
    comparisons: [],
    notes: [
      'Prometheus is not configured: no metric comparison was made (set PROMETHEUS_URL to add canary vs stable metrics)',
    ],
    findings: [],
  };
}

export async function analyzeCanaryMetrics(
  source: MetricsSource | undefined,
  target: CanaryMetricsTarget,
  config: MetricsAnalystConfig,
  options: CallOptions,
): Promise<MetricsAnalysis> {
  if (options.signal.aborted) throw abortReason(options.signal, 'the metrics analysis');
  if (source === undefined) return notConfigured();
  const prometheus = source;
  const queries = resolveQueries(config.preset, config.queries);
  if (queries.length === 0) {
    return {
      source: 'prometheus',
      comparisons: [],
      notes: ['no metric queries are configured (preset "none" and no user queries)'],
      findings: [],
    };
  }

  const windowSeconds = config.rateWindowSeconds ?? Math.max(2 * target.stepSeconds, 60);
  const range = {
    start: new Date(target.now.getTime() - target.windowSeconds * 1000),
    end: target.now,
    stepSeconds: target.stepSeconds,
  };

  async function querySide(metric: MetricQuery, side: SideName): Promise<SideResult> {
    const rendered = renderQuery(metric.query, {
      namespace: target.namespace,
      side: target[side],
      window: `${windowSeconds}s`,
      analysisWindow: `${target.windowSeconds}s`,
      sideLabel: config.sideLabel,
    });
    if (!rendered.ok) return { ok: false, reason: `${side}: ${rendered.reason}`, dependencyFailure: false };
    try {
      const series = await prometheus.queryRange(rendered.query, range, options);
      return { ok: true, values: flatten(series), series: series.length };
    } catch (err) {
      if (options.signal.aborted) throw abortReason(options.signal, 'the metrics analysis');
      const message = err instanceof Error ? err.message : String(err);
      return { ok: false, reason: `${side}: ${message}`, dependencyFailure: err instanceof DependencyError };
    }
  }

  // Every metric and side in parallel; the source bounds each call with its own timeout.
  const results = await Promise.all(
    queries.map(async (metric) => {
      const [canary, stable] = await Promise.all([querySide(metric, 'canary'), querySide(metric, 'stable')]);
      return { metric, canary, stable };
    }),
  );

  const attempted = results.flatMap((r) => [r.canary, r.stable]).filter((r) => r.ok || r.dependencyFailure);
  if (attempted.length > 0 && attempted.every((r) => !r.ok)) {
    const first = attempted.find((r): r is Extract<SideResult, { ok: false }> => !r.ok);
    return {
      source: 'prometheus',
      comparisons: [],
      notes: [
        `Prometheus is unreachable or failing (${first?.reason ?? 'unknown error'}); a rejection rests on the other evidence, a promotion waits for Prometheus`,
      ],
      failure: `Prometheus is unreachable or failing (${first?.reason ?? 'unknown error'})`,
      findings: [],
    };
  }

  const judge = config.judge ?? {};
  const MAX_CHART_SAMPLES = 120;
  const comparisons: MetricComparison[] = [];
  const findings: Finding[] = [];
  const notes: string[] = [];
  const weights: number[] = [];

  for (const { metric, canary, stable } of results) {
    const id = EvidenceIds.metric(metric.name);
    const failures = [canary, stable]
      .filter((r): r is Extract<SideResult, { ok: false }> => !r.ok)
      .map((r) => r.reason);
    if (metric.informational) {
      if (canary.ok && stable.ok) {
        const verdict = classifyMetric({
          canary: canary.values,
          stable: stable.values,
          direction: 'either',
          minSamples: 1,
        });
        notes.push(
          `${metric.name}: canary median ${format(verdict.canary.median)} ${metric.unit}, stable median ${format(verdict.stable.median)} ${metric.unit} (not judged: it follows the traffic split)`,
        );
        const canaryIdle = canary.values.every((v) => !(v > 0));
        if (canaryIdle && stable.values.some((v) => v > 0)) {
          findings.push({
            id: EvidenceIds.metric('no-canary-traffic'),
            kind: 'no-traffic',
            side: 'canary',
            severity: 'warning',
            hard: false,
            title: `the canary received no requests in the last ${target.windowSeconds}s while stable did`,
            detail: 'metric comparisons that depend on traffic have no canary data yet',
          });
        }
      } else notes.push(`${metric.name}: not available (${failures.join('; ')})`);
      continue;
    }

    const comparison: MetricComparison = {
      id,
      name: metric.name,
      source: 'prometheus',
      classification: 'NoData',
      critical: metric.critical,
      direction: metric.direction,
      canary: { count: canary.ok ? canary.values.length : 0 },
      stable: { count: stable.ok ? stable.values.length : 0 },
      unit: metric.unit,
    };
    if (!canary.ok || !stable.ok) {
      comparison.note = `query failed: ${failures.join('; ')}`;
    } else {
      const verdict = classifyMetric({
        canary: canary.values,
        stable: stable.values,
        direction: metric.direction,
        critical: metric.critical,
        tolerance: judge.tolerance,
        confidenceLevel: judge.confidenceLevel,
        minSamples: judge.minSamples,
        nanStrategy: judge.nanStrategy,
        effectSizeFloor: metric.effectSizeFloor,
      });
      comparison.classification = verdict.classification;
      comparison.canary = verdict.canary;
      comparison.stable = verdict.stable;
      // Kept for charts of canary vs stable; bounded so a long window does not bloat the evidence. Only numbers:
      // JSON has no NaN or ±Inf (a ratio of zero rates), so the answer and the stored history would hold null.
      comparison.samples = {
        canary: canary.values.filter(Number.isFinite).slice(-MAX_CHART_SAMPLES),
        stable: stable.values.filter(Number.isFinite).slice(-MAX_CHART_SAMPLES),
      };
      if (verdict.pValue !== undefined) comparison.pValue = verdict.pValue;
      if (verdict.effectSize !== undefined && Number.isFinite(verdict.effectSize))
        comparison.effectSize = verdict.effectSize;
      comparison.note = verdict.reason;
      if (verdict.classification === 'High' || verdict.classification === 'Low') {
        findings.push({
          id,
          kind: 'metric-regression',
          side: 'canary',
          severity: metric.critical ? 'critical' : 'error',
          hard: metric.critical,
          title: `${metric.name} is ${verdict.classification === 'High' ? 'higher' : 'lower'} in the canary: median ${format(verdict.canary.median)} vs ${format(verdict.stable.median)} ${metric.unit} in stable${metric.critical ? ' (critical metric)' : ''}`,
          detail: verdict.reason,
        });
      }
    }
    comparisons.push(comparison);
    weights.push(metric.weight ?? 1);
  }

  const evidence: MetricsAnalysis = { source: 'prometheus', comparisons, notes, findings };
  const failedQueries = results.filter(
    (r) => !r.metric.informational && [r.canary, r.stable].some((side) => !side.ok && side.dependencyFailure),
  );
  if (failedQueries.length > 0) {
    evidence.failure = `Prometheus failed ${failedQueries.length} of ${results.length} metric queries (${failedQueries.map((r) => r.metric.name).join(', ')})`;
  }
  if (comparisons.length > 0) {
    const scored = scoreClassifications(
      comparisons.map((c, i) => ({ classification: c.classification, critical: c.critical, weight: weights[i] })),
      {
        passThreshold: judge.passThreshold ?? DEFAULT_SCORE_OPTIONS.passThreshold,
        marginalThreshold: judge.marginalThreshold ?? DEFAULT_SCORE_OPTIONS.marginalThreshold,
      },
    );
    if (scored.judged > 0) evidence.score = scored.score;
    notes.unshift(
      `judge: ${scored.outcome} (score ${scored.score}, ${scored.judged} metric(s) judged, ${scored.noData} without data, ${scored.criticalFailures} critical failure(s))`,
    );
  }
  return evidence;
}
