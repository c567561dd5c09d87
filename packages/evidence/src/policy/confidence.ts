/**
 * Confidence from the evidence: how much of the canary was seen and how decisive the tests were. Pure.
 *
 * The rule (also in the README):
 *   run      = min(1, canary age / 300 s)          age of the oldest canary pod (unknown age counts as 1)
 *   seen     = max(min(1, requests / 100), min(1, log events / 100), min(1, metric samples / 20))
 *              any one source that shows the canary working is enough: access logs, app logs or Prometheus
 *   ready    = ready canary pods / canary pods
 *   decisive = promote: share of the canary-vs-stable comparisons (Prometheus, access logs) that had data
 *              reject:  1 for a hard failure; else the strongest regression (p-value 0.02 → 0, 1e-6 → 1) or
 *                       canary-only error template (20 events → 1)
 *
 *   thin     = the canary has run under 60 s, or seen < 0.2 (under 20 requests, 20 log events and 4 metric
 *              samples), or no canary pod is ready, or the canary has no traffic (weight 0, or silent while
 *              stable logs)
 *   promote  = 50 + 45 × (0.2 run + 0.3 seen + 0.2 ready + 0.3 decisive)      50..95
 *   thin     = min(60, 30 + 30 × (run + seen + ready) / 3)                    30..60, never above 60
 *   reject   = 95 for a hard failure; else 60 + 30 × decisive                  60..95
 *
 * A model's confidence may only lower these (the policy takes the smaller of the two), never raise them.
 */
import { EvidenceIds } from '@aiops/contracts';
import type { Evidence, Finding } from '@aiops/contracts';

export interface EvidenceAmount {
  canaryPods: number;
  canaryPodsReady: number;
  /** Seconds since the oldest canary pod was created; undefined when no pod says. */
  canaryAgeSeconds?: number;
  /** Requests the canary served, as its access logs show. */
  canaryRequests: number;
  canaryLogEvents: number;
  /** Canary samples over every Prometheus comparison that had data. */
  metricSamples: number;
  /** Canary-vs-stable comparisons (Prometheus, access logs) with data, and all of them. */
  comparisons: { judged: number; total: number };
  /** The canary has no traffic yet: weight 0, or silent while stable logs. */
  noTraffic: boolean;
}

type MeasuredEvidence = Pick<Evidence, 'pods' | 'logs' | 'metrics' | 'findings' | 'collectedAt'>;

export function measureEvidence(evidence: MeasuredEvidence): EvidenceAmount {
  const now = Date.parse(evidence.collectedAt);
  const created = evidence.pods.canary.map((p) => Date.parse(p.createdAt ?? '')).filter((t) => Number.isFinite(t));
  const judgedSources = evidence.metrics.comparisons.filter((c) => c.source === 'prometheus' || c.source === 'logs');
  const requests = Math.max(
    0,
    ...evidence.metrics.comparisons.filter((c) => c.source === 'logs').map((c) => c.canary.count),
  );
  const amount: EvidenceAmount = {
    canaryPods: evidence.pods.canary.length,
    canaryPodsReady: evidence.pods.canary.filter((p) => p.ready).length,
    canaryRequests: requests,
    canaryLogEvents: evidence.logs.canaryLines,
    metricSamples: evidence.metrics.comparisons
      .filter((c) => c.source === 'prometheus' && c.classification !== 'NoData')
      .reduce((n, c) => n + c.canary.count, 0),
    comparisons: {
      judged: judgedSources.filter((c) => c.classification !== 'NoData').length,
      total: judgedSources.length,
    },
    noTraffic: evidence.findings.some((f) => f.kind === 'no-traffic' && f.side === 'canary'),
  };
  if (created.length > 0 && Number.isFinite(now))
    amount.canaryAgeSeconds = Math.max(0, Math.round((now - Math.min(...created)) / 1000));
  return amount;
}

const clamp01 = (n: number) => Math.max(0, Math.min(1, n));

export function amountScores(amount: EvidenceAmount): { run: number; seen: number; ready: number } {
  return {
    run: amount.canaryAgeSeconds === undefined ? 1 : clamp01(amount.canaryAgeSeconds / 300),
    seen: Math.max(
      clamp01(amount.canaryRequests / 100),
      clamp01(amount.canaryLogEvents / 100),
      clamp01(amount.metricSamples / 20),
    ),
    ready: amount.canaryPods === 0 ? 0 : amount.canaryPodsReady / amount.canaryPods,
  };
}

function formatAge(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}

/** What was seen of the canary, in one phrase: "has run 5 s; 0 requests, 1 log line and 0 metric samples seen; 1/1 pods ready". */
export function describeAmount(amount: EvidenceAmount): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const age =
    amount.canaryAgeSeconds === undefined
      ? 'has run for an unknown time'
      : `has run ${formatAge(amount.canaryAgeSeconds)}`;
  return `the canary ${age}; ${plural(amount.canaryRequests, 'request')}, ${plural(amount.canaryLogEvents, 'log line')} and ${plural(amount.metricSamples, 'metric sample')} seen; ${amount.canaryPodsReady}/${amount.canaryPods} pods ready`;
}

/** Thin evidence: the canary looks healthy but has served too little to be sure. Undefined when there is enough. */
export function thinEvidence(amount: EvidenceAmount): string | undefined {
  const { seen } = amountScores(amount);
  const why: string[] = [];
  if (amount.canaryAgeSeconds !== undefined && amount.canaryAgeSeconds < 60)
    why.push('it started less than a minute ago');
  if (amount.noTraffic) why.push('it has no traffic yet');
  else if (seen < 0.2) why.push('it has served almost nothing');
  if (amount.canaryPods > 0 && amount.canaryPodsReady === 0) why.push('none of its pods is ready');
  if (why.length === 0) return undefined;
  return `${describeAmount(amount)} (${why.join(', ')})`;
}

/** Strength of one rejecting finding, 0..1: how far its test is past the line. */
function findingStrength(finding: Finding, evidence: Pick<Evidence, 'metrics' | 'logs'>): number {
  if (finding.hard) return 1;
  const metric = evidence.metrics.comparisons.find((c) => c.id === finding.id);
  if (metric?.pValue !== undefined) return clamp01((-Math.log10(Math.max(metric.pValue, 1e-300)) - 1.7) / 4.3);
  const signature = evidence.logs.signatures.find((s) => EvidenceIds.logSignature(s.id) === finding.id);
  if (signature) return clamp01(signature.canary.count / 20);
  // Pod state (restarts), events: observed facts, moderately decisive.
  return 0.5;
}

export interface ConfidenceInput {
  evidence: MeasuredEvidence;
  outcome: 'fail' | 'suspect' | 'pass' | 'thin';
  /** The findings behind a fail or suspect outcome. */
  findingIds: string[];
}

/** The evidence's confidence in its own outcome (see the rule at the top of this file). */
export function evidenceConfidence(input: ConfidenceInput): number {
  const { evidence, outcome } = input;
  if (outcome === 'fail') return 95;
  if (outcome === 'suspect') {
    const behind = evidence.findings.filter((f) => input.findingIds.includes(f.id));
    const decisive = Math.max(0, ...behind.map((f) => findingStrength(f, evidence)));
    return Math.round(60 + 30 * decisive);
  }
  const amount = measureEvidence(evidence);
  const { run, seen, ready } = amountScores(amount);
  if (outcome === 'thin') return Math.min(60, Math.round(30 + (30 * (run + seen + ready)) / 3));
  const decisive = amount.comparisons.total === 0 ? 0 : amount.comparisons.judged / amount.comparisons.total;
  return Math.round(50 + 45 * (0.2 * run + 0.3 * seen + 0.2 * ready + 0.3 * decisive));
}
