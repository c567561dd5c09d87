/** Renders the policy's verdict as the metric-ai answer (the plugin reads promote and an integer confidence). */
import type { AnalyzeAnswer, Evidence, ModelResult, RemediationResult, Verdict } from '@aiops/contracts';

/** A compact evidence summary: stored by Argo in the measurement metadata, so it stays small. */
export function summarizeEvidence(evidence: Evidence) {
  return {
    findings: evidence.findings
      .filter((f) => f.severity !== 'info' || f.side === 'canary')
      .slice(0, 12)
      .map((f) => ({ id: f.id, severity: f.severity, side: f.side, hard: f.hard, title: f.title.slice(0, 300) })),
    signatures: evidence.logs.signatures.slice(0, 5).map((s) => ({
      id: s.id,
      template: s.template.slice(0, 200),
      severity: s.severity,
      canary: s.canary.count,
      stable: s.stable.count,
      canaryOnly: s.canaryOnly,
    })),
    metrics: evidence.metrics.comparisons.slice(0, 10).map((m) => ({ id: m.id, name: m.name, classification: m.classification, critical: m.critical })),
    pods: { canary: evidence.pods.canary.length, stable: evidence.pods.stable.length },
    logEvents: { canary: evidence.logs.canaryLines, stable: evidence.logs.stableLines },
    notes: [...evidence.metrics.notes, ...evidence.notes].slice(0, 5),
  };
}

export function toAnalyzeAnswer(verdict: Verdict, evidence: Evidence, remediation?: RemediationResult): AnalyzeAnswer {
  const answer: AnalyzeAnswer = {
    analysis: verdict.disagreement ? `${verdict.analysis}\n\nDisagreement: ${verdict.disagreement}` : verdict.analysis,
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
  const modelResults: ModelResult[] = [];
  if (verdict.model) {
    const d = verdict.model.diagnosis;
    modelResults.push({
      modelName: verdict.model.modelName,
      analysis: d.analysis,
      rootCause: d.rootCause,
      remediation: d.remediation,
      promote: d.promote,
      confidence: d.confidence,
      executionTimeMs: verdict.model.executionTimeMs,
      error: '',
    });
  } else if (verdict.modelError) {
    modelResults.push({ modelName: 'model', analysis: '', rootCause: '', remediation: '', promote: false, confidence: 0, executionTimeMs: 0, error: verdict.modelError });
  }
  if (modelResults.length > 0) answer.modelResults = modelResults;
  return answer;
}
