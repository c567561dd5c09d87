import { z } from 'zod';

/** What the model must answer: validated with zod, never trusted as-is. */
export const DiagnosisSchema = z.object({
  promote: z.boolean().describe('true only if the canary is as healthy as stable'),
  confidence: z.number().int().min(0).max(100).describe('confidence in the verdict, 0-100'),
  analysis: z.string().min(1).max(4000).describe('comparison of canary vs stable, citing evidence'),
  rootCause: z.string().max(2000).describe("the specific cause of a failure, or 'none'"),
  remediation: z.string().max(2000).describe("the concrete fix, or 'none required'"),
  evidenceIds: z.array(z.string().max(200)).max(50).describe('ids of the evidence items relied on'),
});
export type Diagnosis = z.infer<typeof DiagnosisSchema>;

export interface ModelDiagnosis {
  diagnosis: Diagnosis;
  modelName: string;
  executionTimeMs: number;
  attempts: number;
  /** Tokens over every attempt, when the model reports them. */
  usage?: { inputTokens: number; outputTokens: number };
}

/** One model's part in a verdict: its answer, or why it gave none. */
export interface ModelVote {
  modelName: string;
  executionTimeMs: number;
  /** Absent when the model failed. */
  diagnosis?: Diagnosis;
  attempts?: number;
  usage?: { inputTokens: number; outputTokens: number };
  /** Why the model gave no answer (timeout, 429, invalid output after the repair, ...). */
  error?: string;
}

export type DecidedBy =
  /** Deterministic evidence decided; the model was not needed or not available. */
  | 'evidence'
  /** Hard failure in the canary: the model's "promote" was overruled. */
  | 'evidence-over-model'
  /** Clean evidence, model agreed. */
  | 'model'
  /** Clean evidence, model vetoed citing evidence that exists. */
  | 'model-veto'
  /** Clean evidence, model vetoed without valid citations: promoted, disagreement reported. */
  | 'evidence-over-unfounded-veto';

/**
 * The three outcomes every entry point maps to its controller's words. `inconclusive` is either thin evidence (a
 * Verdict whose `promote` is true, for callers that know only two outcomes) or absent evidence (no Verdict at all).
 */
export type Outcome = 'promote' | 'reject' | 'inconclusive';

/** Why there is nothing to judge. */
export type AbsenceKind = 'namespace-not-found' | 'no-canary-pods' | 'no-stable-pods' | 'overlapping-selectors';

/** Absent evidence: never a verdict. `reason` names what is missing in words an operator can act on. */
export interface AbsentEvidence {
  kind: 'absent';
  absence: AbsenceKind;
  reason: string;
  /** The request field to fix, when the request is at fault (overlapping selectors). */
  field?: string;
}

/** Thin evidence: the canary looks healthy but has served too little to be sure. */
export interface ThinEvidence {
  kind: 'thin';
  reason: string;
}

export type Inconclusive = AbsentEvidence | ThinEvidence;

/** What the policy decided; the metric-ai answer is rendered from it. */
export interface Verdict {
  outcome: Outcome;
  /** What a two-outcome caller (the metric-ai plugin) is told: true for promote and for thin evidence. */
  promote: boolean;
  /** Set when the outcome is inconclusive: the evidence is thin. */
  inconclusive?: ThinEvidence;
  confidence: number;
  analysis: string;
  rootCause: string;
  remediation: string;
  decidedBy: DecidedBy;
  /** Evidence ids behind the verdict (the hard failures, or the model's valid citations). */
  evidenceIds: string[];
  disagreement?: string;
  model?: ModelDiagnosis;
  modelError?: string;
  /** Every model asked, in configuration order (one entry per model, answered or failed). */
  votes?: ModelVote[];
  /** How several models' answers were combined (set when more than one model was asked). */
  votingRationale?: string;
}

/**
 * The evidence-only assessment the policy starts from. `fail`: a hard failure in the canary. `suspect`: canary-only
 * errors or regressions that are not hard. `pass`: nothing wrong observed. `thin`: nothing wrong observed, but the
 * canary has served too little to be sure. `absent`: nothing to judge (no canary, no namespace, overlapping sides).
 * Both `fail` and `suspect` reject the canary: the model may veto a promotion, never promote a rejection.
 */
export interface Assessment {
  outcome: 'fail' | 'suspect' | 'pass' | 'thin' | 'absent';
  /** Set for `absent` and `thin`. */
  inconclusive?: Inconclusive;
  /** Ids of the findings behind a fail or suspect outcome. */
  findingIds: string[];
  reasons: string[];
}
