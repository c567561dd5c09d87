/**
 * Measurements of one rollout compared over time: which of the canary's problems the previous measurement showed
 * too, which are new, which are gone, and the canary's error rate per measurement. Pure code over the evidence and
 * what the history store returned.
 */
import { EvidenceIds, withoutPodNames } from '@aiops/contracts';
import type { AnalysisSummary, CanaryProblem, ErrorRate, Evidence, EvidenceHistory, Finding } from '@aiops/contracts';

export const SEEN_BEFORE = 'seen in the previous measurement';
export const NEW_SINCE_LAST = 'new since the last one';

/** Finding ids embed pod names, which change when pods are replaced; the problem is the same. */
function fingerprintOf(
  finding: Finding,
  evidence: Evidence,
  podNames: string[],
  templateOf: Map<string, string>,
): string {
  const template = templateOf.get(finding.id);
  // A fingerprint, not an evidence id: the same template or the same problem on a replaced pod compares equal.
  if (template !== undefined) return `template:${template}`;
  return `${finding.kind}:${withoutPodNames(finding.id, podNames)}`;
}

/** The canary's problems: findings about the canary that are hard or at least errors. */
export function canaryProblemsOf(evidence: Evidence): CanaryProblem[] {
  const podNames = [...evidence.pods.canary, ...evidence.pods.stable]
    .map((p) => p.name)
    .sort((a, b) => b.length - a.length);
  const templateOf = new Map<string, string>(
    evidence.logs.signatures.map((s) => [EvidenceIds.logSignature(s.id), s.template]),
  );
  const problems = new Map<string, CanaryProblem>();
  for (const f of evidence.findings) {
    if (f.side !== 'canary' || !(f.hard || f.severity === 'critical' || f.severity === 'error')) continue;
    const fingerprint = fingerprintOf(f, evidence, podNames, templateOf);
    if (!problems.has(fingerprint))
      problems.set(fingerprint, { fingerprint, id: f.id, title: f.title.slice(0, 300), hard: f.hard });
  }
  return [...problems.values()];
}

/**
 * The canary's error rate, from the best source there is: the request success rate from Prometheus, else 5xx
 * answers in the access logs, else the share of error-like log lines.
 */
export function errorRateOf(evidence: Evidence): ErrorRate | undefined {
  const comparisons = evidence.metrics.comparisons;
  const success = comparisons.find(
    (c) => c.name === 'request_success_rate' && c.canary.median !== undefined && c.stable.median !== undefined,
  );
  if (success?.canary.median !== undefined && success.stable.median !== undefined) {
    return { canary: clamp(1 - success.canary.median), stable: clamp(1 - success.stable.median), source: 'metrics' };
  }
  const access = comparisons.find(
    (c) =>
      c.id === EvidenceIds.accessLog('http_5xx_ratio') && c.canary.mean !== undefined && c.stable.mean !== undefined,
  );
  if (access?.canary.mean !== undefined && access.stable.mean !== undefined) {
    return { canary: clamp(access.canary.mean), stable: clamp(access.stable.mean), source: 'access-logs' };
  }
  const { canaryLines, stableLines, signatures } = evidence.logs;
  if (canaryLines === 0) return undefined;
  const errors = signatures.filter((s) => s.errorLike);
  const share = (n: number, total: number) => (total === 0 ? 0 : n / total);
  return {
    canary: clamp(
      share(
        errors.reduce((n, s) => n + s.canary.count, 0),
        canaryLines,
      ),
    ),
    stable: clamp(
      share(
        errors.reduce((n, s) => n + s.stable.count, 0),
        stableLines,
      ),
    ),
    source: 'logs',
  };
}

function clamp(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}

/**
 * `earlier`: the rollout's earlier measurements, newest first; `previousProblems`: the canary problems of the
 * newest one. Undefined when there were no earlier measurements.
 */
export function compareWithHistory(
  evidence: Evidence,
  earlier: AnalysisSummary[],
  previousProblems: CanaryProblem[],
): EvidenceHistory | undefined {
  const previous = earlier[0];
  if (previous === undefined) return undefined;
  const current = canaryProblemsOf(evidence);
  const before = new Set(previousProblems.map((p) => p.fingerprint));
  const now = new Set(current.map((p) => p.fingerprint));
  const trend: EvidenceHistory['errorRateTrend'] = [];
  for (const m of [...earlier].reverse()) if (m.errorRate) trend.push({ at: m.finishedAt, errorRate: m.errorRate });
  const rate = errorRateOf(evidence);
  if (rate) trend.push({ at: evidence.collectedAt, errorRate: rate });
  return {
    previous: {
      id: previous.id,
      finishedAt: previous.finishedAt,
      verdict: previous.verdict,
      confidence: previous.confidence,
    },
    earlierMeasurements: earlier.length,
    seenBefore: current.filter((p) => before.has(p.fingerprint)),
    newSinceLast: current.filter((p) => !before.has(p.fingerprint)),
    resolvedSinceLast: previousProblems.filter((p) => !now.has(p.fingerprint)),
    errorRateTrend: trend,
  };
}

const percent = (x: number): string => `${(x * 100).toFixed(x < 0.01 && x > 0 ? 2 : 1)}%`;

/** One paragraph for the answer's analysis and the model's preamble. Only our own words and ids: no workload text. */
export function describeHistory(history: EvidenceHistory): string {
  const parts: string[] = [];
  const p = history.previous;
  if (p)
    parts.push(
      `The previous measurement of this rollout (${p.finishedAt}) answered ${p.verdict} with confidence ${p.confidence}; ${history.earlierMeasurements} earlier measurement(s) in total.`,
    );
  if (history.seenBefore.length > 0)
    parts.push(
      `${history.seenBefore.length} of the canary's problems were ${SEEN_BEFORE}: ${history.seenBefore.map((x) => x.id).join(', ')}.`,
    );
  if (history.newSinceLast.length > 0)
    parts.push(
      `${history.newSinceLast.length} ${history.newSinceLast.length === 1 ? 'is' : 'are'} ${NEW_SINCE_LAST}: ${history.newSinceLast.map((x) => x.id).join(', ')}.`,
    );
  if (history.resolvedSinceLast.length > 0)
    parts.push(`${history.resolvedSinceLast.length} problem(s) of the previous measurement are gone.`);
  if (history.errorRateTrend.length > 1) {
    const source = history.errorRateTrend[history.errorRateTrend.length - 1]?.errorRate.source ?? 'logs';
    parts.push(
      `Canary error rate across measurements (${source}): ${history.errorRateTrend.map((t) => percent(t.errorRate.canary)).join(' → ')}.`,
    );
  }
  return parts.join(' ');
}
