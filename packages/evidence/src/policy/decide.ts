/**
 * The deterministic policy: the last word on every verdict. The model explains and may veto; it can never turn a
 * hard failure into a promotion, and a veto counts only when it cites evidence that exists.
 */
import { EvidenceIds, parseEvidenceId, type EvidenceId } from '@aiops/contracts';
import {
  AbsentEvidenceError,
  DependencyError,
  type AbsentEvidence,
  type Evidence,
  type ModelDiagnosis,
  type Verdict,
} from '@aiops/contracts';
import { assessEvidence } from './assess.js';
import { evidenceConfidence } from './confidence.js';
import { explainFromEvidence } from './explain.js';

export interface PolicyConfig {
  /** `evidence`: when the model is unavailable, answer from the evidence if it is decisive. `error`: always 503. */
  onModelUnavailable: 'evidence' | 'error';
}

export interface PolicyInput {
  evidence: Evidence;
  /** Absent when no model is configured (LLM_PROVIDER=none). */
  model?: { result: ModelDiagnosis } | { error: Error };
}

/**
 * What a veto may cite: evidence that points at the canary. Findings on the canary side (warning and above), log
 * templates that the canary has and stable has not (or far less), and metrics classified High or Low. Citing
 * stable's noise, an info line or a passing metric is no reason to roll back.
 */
function vetoableIds(evidence: Evidence): Set<EvidenceId> {
  const ids = new Set<EvidenceId>();
  // Missing traffic or pods is an absence of evidence, not a problem of the canary.
  const absence = new Set(['no-traffic', 'no-canary-pods']);
  for (const f of evidence.findings)
    if (f.side === 'canary' && f.severity !== 'info' && !absence.has(f.kind)) ids.add(f.id);
  for (const s of evidence.logs.signatures) {
    const canaryHeavier = s.canaryOnly || s.canary.perThousand > 2 * s.stable.perThousand;
    if (canaryHeavier && s.canary.count > 0 && s.severity !== 'info') ids.add(EvidenceIds.logSignature(s.id));
  }
  for (const m of evidence.metrics.comparisons)
    if (m.classification === 'High' || m.classification === 'Low') ids.add(m.id);
  return ids;
}

/** How an answer on thin evidence starts (the plugin keeps only `analysis` as text). */
const THIN_HEADLINE = 'Promote with low confidence: the evidence is thin;';

const clampConfidence = (n: number) => Math.max(0, Math.min(100, Math.round(n)));

/** The policy's decision: a verdict, or absent evidence (nothing to judge, never a verdict). */
export type PolicyDecision = { verdict: Verdict; absent?: never } | { absent: AbsentEvidence; verdict?: never };

/** The policy for every entry point: absent evidence comes back as such, whatever the model said. */
export function decide(input: PolicyInput, config: PolicyConfig): PolicyDecision {
  const assessment = assessEvidence(input.evidence);
  if (assessment.outcome === 'absent' && assessment.inconclusive?.kind === 'absent')
    return { absent: assessment.inconclusive };
  return { verdict: decideVerdict(input, config) };
}

/** The verdict; absent evidence throws AbsentEvidenceError (a non-200 without `promote` on the metric-ai route). */
export function decideVerdict(input: PolicyInput, config: PolicyConfig): Verdict {
  const { evidence } = input;
  const assessment = assessEvidence(evidence);
  if (assessment.outcome === 'absent' && assessment.inconclusive?.kind === 'absent')
    throw new AbsentEvidenceError(assessment.inconclusive);
  const explained = explainFromEvidence(evidence, assessment);
  const model = input.model && 'result' in input.model ? input.model.result : undefined;
  const modelError = input.model && 'error' in input.model ? input.model.error : undefined;
  const thin =
    assessment.outcome === 'thin' && assessment.inconclusive?.kind === 'thin' ? assessment.inconclusive : undefined;
  const withModel = (v: Omit<Verdict, 'outcome'>): Verdict => {
    // A promotion on thin evidence is inconclusive: the plugin still promotes (a quiet app must roll out), capped.
    const verdict: Verdict = !v.promote
      ? { outcome: 'reject', ...v }
      : thin
        ? {
            outcome: 'inconclusive',
            ...v,
            inconclusive: thin,
            analysis: v.analysis.startsWith(THIN_HEADLINE)
              ? v.analysis
              : `${THIN_HEADLINE} ${thin.reason}.\n\n${v.analysis}`,
          }
        : { outcome: 'promote', ...v };
    if (model) verdict.model = model;
    if (modelError) verdict.modelError = modelError.message;
    return verdict;
  };

  // The evidence rejects: hard failures, or canary-only errors and regressions. No model answer can promote it,
  // and a missing model changes nothing, so the verdict stands without one. Its confidence is the evidence's; a
  // model that agrees may only lower it.
  if (assessment.outcome === 'fail' || assessment.outcome === 'suspect') {
    const hard = assessment.outcome === 'fail';
    const overruled = model?.diagnosis.promote === true;
    const agrees = model !== undefined && !overruled;
    const what = hard ? 'hard failures' : 'canary-only errors or regressions';
    const fromEvidence = evidenceConfidence({
      evidence,
      outcome: assessment.outcome,
      findingIds: assessment.findingIds,
    });
    return withModel({
      promote: false,
      confidence: agrees ? Math.min(fromEvidence, clampConfidence(model.diagnosis.confidence)) : fromEvidence,
      analysis: agrees ? `${model.diagnosis.analysis}\n\n${explained.analysis}` : explained.analysis,
      rootCause: agrees && model.diagnosis.rootCause.trim() !== '' ? model.diagnosis.rootCause : explained.rootCause,
      remediation:
        agrees && model.diagnosis.remediation.trim() !== '' ? model.diagnosis.remediation : explained.remediation,
      decidedBy: overruled ? 'evidence-over-model' : 'evidence',
      evidenceIds: assessment.findingIds,
      ...(overruled
        ? {
            disagreement: `the model (${model.modelName}) said promote, but the canary has ${what}: ${assessment.reasons.slice(0, 3).join('; ')}`,
          }
        : {}),
    });
  }

  // Past this point the verdict would be a promotion. Metrics that Prometheus failed to deliver may be exactly the
  // regression that forbids it: a dependency failure is never a verdict, so the caller measures again.
  if (evidence.metrics.failure !== undefined) {
    throw new DependencyError('prometheus', `${evidence.metrics.failure}; a promotion needs the metric comparison`);
  }

  // Clean evidence (pass or thin): its confidence bounds every verdict below; the model may only lower it.
  const fromEvidence = evidenceConfidence({
    evidence,
    outcome: assessment.outcome === 'thin' ? 'thin' : 'pass',
    findingIds: [],
  });
  if (!model) {
    if (modelError && config.onModelUnavailable === 'error') {
      // A dependency failure is never a verdict: the caller retries.
      throw modelError instanceof DependencyError
        ? modelError
        : new DependencyError('llm', modelError.message, { cause: modelError });
    }
    return withModel({
      promote: true,
      confidence: fromEvidence,
      analysis:
        explained.analysis +
        (modelError
          ? `\n\nThe model was unavailable (${modelError.message}); this verdict rests on the evidence alone.`
          : ''),
      rootCause: explained.rootCause,
      remediation: explained.remediation,
      decidedBy: 'evidence',
      evidenceIds: [],
    });
  }

  const d = model.diagnosis;
  const vetoable = vetoableIds(evidence);
  // A citation counts only as a well-formed id that names vetoable evidence (never a bare or invented one).
  const validCitations = d.evidenceIds
    .map((text) => parseEvidenceId(text)?.id)
    .filter((id): id is EvidenceId => id !== undefined && vetoable.has(id));
  if (d.promote) {
    return withModel({
      promote: true,
      confidence: Math.min(fromEvidence, clampConfidence(d.confidence)),
      analysis: d.analysis,
      rootCause: d.rootCause.trim() || 'none',
      remediation: d.remediation.trim() || 'none required',
      decidedBy: 'model',
      evidenceIds: validCitations,
    });
  }
  if (validCitations.length > 0) {
    return withModel({
      promote: false,
      confidence: Math.min(fromEvidence, clampConfidence(d.confidence)),
      analysis: d.analysis,
      rootCause: d.rootCause,
      remediation: d.remediation,
      decidedBy: 'model-veto',
      evidenceIds: validCitations,
    });
  }
  return withModel({
    promote: true,
    confidence: Math.min(fromEvidence, 60, clampConfidence(100 - d.confidence / 2)),
    analysis: explained.analysis,
    rootCause: 'none',
    remediation: 'none required',
    decidedBy: 'evidence-over-unfounded-veto',
    evidenceIds: [],
    disagreement:
      `the model (${model.modelName}) advised against promotion without citing evidence of a canary problem (${d.evidenceIds.length > 0 ? `cited: ${d.evidenceIds.slice(0, 5).join(', ')}` : 'no citations'}); its reasoning: ${d.rootCause || d.analysis}`.slice(
        0,
        1000,
      ),
  });
}
