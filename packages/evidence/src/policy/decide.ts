/**
 * The deterministic policy: the last word on every verdict. The model explains and may veto; it can never turn a
 * hard failure into a promotion, and a veto counts only when it cites evidence that exists.
 */
import {
  AbsentEvidenceError,
  DependencyError,
  type AbsentEvidence,
  type Evidence,
  type ModelDiagnosis,
  type ModelVote,
  type Verdict,
} from '@aiops/contracts';
import { EvidenceIds, parseEvidenceId, type EvidenceId } from '@aiops/contracts';
import { assessEvidence } from './assess.js';
import { evidenceConfidence } from './confidence.js';
import { explainFromEvidence } from './explain.js';

export interface PolicyConfig {
  /** `evidence`: when the model is unavailable, answer from the evidence if it is decisive. `error`: always 503. */
  onModelUnavailable: 'evidence' | 'error';
}

/** One model's outcome: its diagnosis, or its failure (named and timed when the caller knows). */
export type ModelOutcome = { result: ModelDiagnosis } | { error: Error; modelName?: string; executionTimeMs?: number };

export interface PolicyInput {
  evidence: Evidence;
  /** One model (absent when no model is configured, LLM_PROVIDER=none). */
  model?: ModelOutcome;
  /** Several models (LLM_MODELS), asked in parallel on the same evidence; takes the place of `model`. */
  models?: ModelOutcome[];
}

const nameOf = (o: ModelOutcome, index: number) =>
  'result' in o ? o.result.modelName : (o.modelName ?? `model ${index + 1}`);

function toVote(o: ModelOutcome, index: number): ModelVote {
  if ('result' in o)
    return {
      modelName: o.result.modelName,
      executionTimeMs: o.result.executionTimeMs,
      diagnosis: o.result.diagnosis,
      attempts: o.result.attempts,
      ...(o.result.usage ? { usage: o.result.usage } : {}),
    };
  return { modelName: nameOf(o, index), executionTimeMs: o.executionTimeMs ?? 0, error: o.error.message };
}

/** `the model (a)` or `the models (a, b)`. */
function theModels(names: string[]): string {
  return `the model${names.length > 1 ? 's' : ''} (${names.join(', ')})`;
}

/** Each model's vote in one line, for the voting rationale. */
function describeVotes(votes: ModelVote[]): string {
  return votes
    .map((v) =>
      v.diagnosis
        ? `${v.modelName} said ${v.diagnosis.promote ? 'promote' : 'reject'} (confidence ${v.diagnosis.confidence}${v.diagnosis.evidenceIds.length > 0 ? `, citing ${v.diagnosis.evidenceIds.slice(0, 3).join(', ')}` : ''})`
        : `${v.modelName} gave no answer (${v.error?.slice(0, 160) ?? 'failed'})`,
    )
    .join('; ');
}

/** When models disagree on a clean canary the promotion's confidence is at most this. */
const DISAGREEMENT_CAP = 60;

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
  const outcomes = input.models ?? (input.model ? [input.model] : []);
  const several = outcomes.length > 1;
  const votes = outcomes.map(toVote);
  const answered = outcomes.flatMap((o) => ('result' in o ? [o.result] : []));
  const failed = outcomes.flatMap((o, i) => ('error' in o ? [{ name: nameOf(o, i), error: o.error }] : []));
  // The first model that answered stands for "the model" in the verdict (history, the PR author).
  const model = answered[0];
  const modelError: Error | undefined =
    answered.length > 0 || failed.length === 0
      ? undefined
      : failed.length === 1
        ? failed[0]?.error
        : new DependencyError('llm', failed.map((f) => `${f.name}: ${f.error.message}`).join('; '));
  const thin =
    assessment.outcome === 'thin' && assessment.inconclusive?.kind === 'thin' ? assessment.inconclusive : undefined;
  const withModel = (v: Omit<Verdict, 'outcome'>, rationale?: string): Verdict => {
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
    if (votes.length > 0) verdict.votes = votes;
    if (several && rationale !== undefined)
      verdict.votingRationale = `${outcomes.length} models asked: ${describeVotes(votes)}. ${rationale}`.slice(0, 2000);
    return verdict;
  };

  // The evidence rejects: hard failures, or canary-only errors and regressions. No model answer can promote it,
  // and a missing model changes nothing, so the verdict stands without one. Its confidence is the evidence's; a
  // model that agrees may only lower it.
  if (assessment.outcome === 'fail' || assessment.outcome === 'suspect') {
    const hard = assessment.outcome === 'fail';
    const overruled = answered.filter((m) => m.diagnosis.promote);
    const agreeing = answered.filter((m) => !m.diagnosis.promote);
    const first = agreeing[0];
    const what = hard ? 'hard failures' : 'canary-only errors or regressions';
    const fromEvidence = evidenceConfidence({
      evidence,
      outcome: assessment.outcome,
      findingIds: assessment.findingIds,
    });
    return withModel(
      {
        promote: false,
        confidence: Math.min(fromEvidence, ...agreeing.map((m) => clampConfidence(m.diagnosis.confidence))),
        analysis: first ? `${first.diagnosis.analysis}\n\n${explained.analysis}` : explained.analysis,
        rootCause: first && first.diagnosis.rootCause.trim() !== '' ? first.diagnosis.rootCause : explained.rootCause,
        remediation:
          first && first.diagnosis.remediation.trim() !== '' ? first.diagnosis.remediation : explained.remediation,
        decidedBy: overruled.length > 0 ? 'evidence-over-model' : 'evidence',
        evidenceIds: assessment.findingIds,
        ...(overruled.length > 0
          ? {
              disagreement: `${theModels(overruled.map((m) => m.modelName))} said promote, but the canary has ${what}: ${assessment.reasons.slice(0, 3).join('; ')}`,
            }
          : {}),
      },
      `The evidence decides: the canary has ${what}, which no model vote can promote.`,
    );
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
    return withModel(
      {
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
      },
      'No model answered; the evidence alone decides.',
    );
  }

  const vetoable = vetoableIds(evidence);
  // A citation counts only as a well-formed id that names vetoable evidence (never a bare or invented one).
  const citationsOf = (m: ModelDiagnosis): EvidenceId[] =>
    m.diagnosis.evidenceIds
      .map((text) => parseEvidenceId(text)?.id)
      .filter((id): id is EvidenceId => id !== undefined && vetoable.has(id));
  const promoters = answered.filter((m) => m.diagnosis.promote);
  const vetoers = answered.filter((m) => !m.diagnosis.promote);
  const founded = vetoers.filter((m) => citationsOf(m).length > 0);
  const disagree = promoters.length > 0 && vetoers.length > 0;
  const cap = disagree ? DISAGREEMENT_CAP : 100;
  const failedNote = failed.length > 0 ? ` ${theModels(failed.map((f) => f.name))} gave no answer.` : '';

  if (founded.length > 0) {
    // A veto counts when it cites evidence of a canary problem; the best-founded one speaks for the verdict.
    const veto = [...founded].sort((a, b) => citationsOf(b).length - citationsOf(a).length)[0] ?? founded[0]!;
    const cited = [...new Set(founded.flatMap(citationsOf))];
    return withModel(
      {
        promote: false,
        confidence: Math.min(fromEvidence, cap, clampConfidence(veto.diagnosis.confidence)),
        analysis: veto.diagnosis.analysis,
        rootCause: veto.diagnosis.rootCause,
        remediation: veto.diagnosis.remediation,
        decidedBy: 'model-veto',
        evidenceIds: cited,
        ...(disagree
          ? {
              disagreement: `${theModels(promoters.map((m) => m.modelName))} said promote; ${theModels(founded.map((m) => m.modelName))} vetoed citing evidence of a canary problem (${cited.slice(0, 5).join(', ')})`,
            }
          : {}),
      },
      `A veto counts because it cites evidence of a canary problem (${cited.slice(0, 5).join(', ')}).${disagree ? ` The models disagree, so the confidence is at most ${DISAGREEMENT_CAP}.` : ''}${failedNote}`,
    );
  }
  if (vetoers.length === 0) {
    return withModel(
      {
        promote: true,
        confidence: Math.min(fromEvidence, ...answered.map((m) => clampConfidence(m.diagnosis.confidence))),
        analysis: model.diagnosis.analysis,
        rootCause: model.diagnosis.rootCause.trim() || 'none',
        remediation: model.diagnosis.remediation.trim() || 'none required',
        decidedBy: 'model',
        evidenceIds: [...new Set(answered.flatMap(citationsOf))],
      },
      `Every model that answered agrees with the clean evidence: promote, with the lowest of their confidences.${failedNote}`,
    );
  }
  // Vetoes without evidence of a canary problem: the clean evidence promotes, with the disagreement said.
  const strongest = Math.max(...vetoers.map((m) => m.diagnosis.confidence));
  const reasons = vetoers
    .map(
      (m) =>
        `${theModels([m.modelName])} advised against promotion without citing evidence of a canary problem (${m.diagnosis.evidenceIds.length > 0 ? `cited: ${m.diagnosis.evidenceIds.slice(0, 5).join(', ')}` : 'no citations'}); its reasoning: ${m.diagnosis.rootCause || m.diagnosis.analysis}`,
    )
    .join('; ');
  return withModel(
    {
      promote: true,
      confidence: Math.min(fromEvidence, DISAGREEMENT_CAP, clampConfidence(100 - strongest / 2)),
      analysis: explained.analysis,
      rootCause: 'none',
      remediation: 'none required',
      decidedBy: 'evidence-over-unfounded-veto',
      evidenceIds: [],
      disagreement: (promoters.length > 0
        ? `${theModels(promoters.map((m) => m.modelName))} said promote; ${reasons}`
        : reasons
      ).slice(0, 1000),
    },
    `The vetoes cite no evidence of a canary problem, so the clean evidence promotes; the models disagree, so the confidence is at most ${DISAGREEMENT_CAP}.${failedNote}`,
  );
}
