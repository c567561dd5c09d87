/** Renders the policy's verdict as the metric-ai answer (the plugin reads promote and an integer confidence). */
import type { AnalyzeAnswer, Evidence, ModelResult, RemediationResult, Verdict } from '@aiops/contracts';
import { describeHistory, NEW_SINCE_LAST, SEEN_BEFORE } from '@aiops/evidence';

/** A compact evidence summary: stored by Argo in the measurement metadata, so it stays small. */
export function summarizeEvidence(evidence: Evidence) {
  const seen = new Set(evidence.history?.seenBefore.map((p) => p.id));
  const fresh = new Set(evidence.history?.newSinceLast.map((p) => p.id));
  const historyOf = (id: string) =>
    seen.has(id) ? { history: SEEN_BEFORE } : fresh.has(id) ? { history: NEW_SINCE_LAST } : {};
  const h = evidence.history;
  return {
    findings: evidence.findings
      .filter((f) => f.severity !== 'info' || f.side === 'canary')
      .slice(0, 12)
      .map((f) => ({
        id: f.id,
        severity: f.severity,
        side: f.side,
        hard: f.hard,
        title: f.title.slice(0, 300),
        ...historyOf(f.id),
      })),
    signatures: evidence.logs.signatures.slice(0, 5).map((s) => ({
      id: s.id,
      template: s.template.slice(0, 200),
      severity: s.severity,
      canary: s.canary.count,
      stable: s.stable.count,
      canaryOnly: s.canaryOnly,
    })),
    metrics: evidence.metrics.comparisons
      .slice(0, 10)
      .map((m) => ({ id: m.id, name: m.name, classification: m.classification, critical: m.critical })),
    pods: { canary: evidence.pods.canary.length, stable: evidence.pods.stable.length },
    logEvents: { canary: evidence.logs.canaryLines, stable: evidence.logs.stableLines },
    notes: [...evidence.metrics.notes, ...evidence.notes].slice(0, 5),
    ...(h
      ? {
          history: {
            earlierMeasurements: h.earlierMeasurements,
            ...(h.previous ? { previousVerdict: h.previous.verdict, previousAt: h.previous.finishedAt } : {}),
            seenInPreviousMeasurement: h.seenBefore.map((p) => p.id),
            newSinceLastMeasurement: h.newSinceLast.map((p) => p.id),
            canaryErrorRateTrend: h.errorRateTrend
              .slice(-10)
              .map((t) => Math.round(t.errorRate.canary * 10_000) / 10_000),
          },
        }
      : {}),
  };
}

export function toAnalyzeAnswer(verdict: Verdict, evidence: Evidence, remediation?: RemediationResult): AnalyzeAnswer {
  const paragraphs = [verdict.analysis];
  if (verdict.disagreement) paragraphs.push(`Disagreement: ${verdict.disagreement}`);
  if (evidence.history) paragraphs.push(`History: ${describeHistory(evidence.history)}`);
  const answer: AnalyzeAnswer = {
    analysis: paragraphs.join('\n\n'),
    rootCause: verdict.rootCause,
    remediation: verdict.remediation,
    promote: verdict.promote,
    confidence: Math.max(0, Math.min(100, Math.round(verdict.confidence))),
    decidedBy: verdict.decidedBy,
    evidence: summarizeEvidence(evidence),
  };
  const link = remediation?.pullRequestUrl ?? remediation?.issueUrl;
  if (link) answer.prLink = link;
  if (remediation) {
    // What the PR author did (or, in a dry run, would do): operators read it in the measurement's metadata.
    answer.prAuthor = {
      status: remediation.status,
      ...(remediation.issueUrl ? { issueUrl: remediation.issueUrl } : {}),
      ...(remediation.pullRequestUrl ? { pullRequestUrl: remediation.pullRequestUrl } : {}),
      ...(remediation.reason ? { reason: remediation.reason } : {}),
      ...(remediation.preview ? { preview: remediation.preview } : {}),
    };
  }
  // One entry per model asked, in the plugin's ModelAnalysisResult shape (its Go field names and types).
  const modelResults: ModelResult[] = (verdict.votes ?? []).map((vote) => ({
    modelName: vote.modelName,
    analysis: vote.diagnosis?.analysis ?? '',
    rootCause: vote.diagnosis?.rootCause ?? '',
    remediation: vote.diagnosis?.remediation ?? '',
    promote: vote.diagnosis?.promote ?? false,
    confidence: vote.diagnosis ? Math.max(0, Math.min(100, Math.round(vote.diagnosis.confidence))) : 0,
    executionTimeMs: Math.max(0, Math.round(vote.executionTimeMs)),
    error: vote.error ?? '',
  }));
  if (modelResults.length > 0) {
    answer.modelResults = modelResults;
    answer.modelCount = modelResults.length;
  }
  if (verdict.votingRationale) answer.votingRationale = verdict.votingRationale;
  return answer;
}
