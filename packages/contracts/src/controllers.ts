/**
 * The three outcomes in the words of the progressive-delivery controllers that are not the metric-ai plugin:
 * Argo Rollouts' built-in `web` metric provider (which can say Inconclusive) and Flagger's webhooks (which read a
 * status code). Pure code: the routes parse with these, run the one analysis, and answer with these.
 */
import { z } from 'zod';
import type { Outcome } from './diagnosis.js';
import { InvalidRequestError } from './errors.js';
import { toAnalysisRequest, type AnalysisRequest } from './metric-ai.js';
import type { AnalysisOutcome, ObjectReference, VerdictEvent } from './ports.js';

/** The label Argo Rollouts puts on every pod of a Rollout's ReplicaSets: `podTemplateHashValue` args resolve to it. */
export const ROLLOUT_POD_TEMPLATE_HASH_LABEL = 'rollouts-pod-template-hash';

const LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

function hashOf(context: Record<string, unknown>, field: string): string | undefined {
  const value = context[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new InvalidRequestError(field, 'must be a string (a pod-template hash)');
  const hash = value.trim();
  // An unresolved Argo argument stays as its template text; nothing else in a hash may be anything but a label value.
  if (hash === '') return undefined;
  if (!LABEL_VALUE.test(hash)) throw new InvalidRequestError(field, `"${hash}" is not a pod-template hash`);
  return hash;
}

/** The selector for one side: the explicit selector and/or the pod-template hash (both must hold). */
function sideSelector(selector: unknown, hash: string | undefined): unknown {
  if (hash === undefined) return selector;
  const explicit = typeof selector === 'string' && selector.trim() !== '' ? selector.trim() : undefined;
  return [explicit, `${ROLLOUT_POD_TEMPLATE_HASH_LABEL}=${hash}`].filter((s) => s !== undefined).join(',');
}

/**
 * `POST /web/analyze`: the request context of `/a2a/analyze` (as `context`, or the fields at the top level, which is
 * what an AnalysisTemplate's `jsonBody` writes most simply), plus `canaryPodTemplateHash` / `stablePodTemplateHash`
 * from Argo's `valueFrom.podTemplateHashValue: Latest | Stable`. A hash selects that side's pods by
 * `rollouts-pod-template-hash` (and the side's selector, when one is given too), so no `role` labels are needed.
 */
export function toWebAnalysisRequest(body: unknown): AnalysisRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new InvalidRequestError('body', 'must be a JSON object');
  const outer = body as Record<string, unknown>;
  const inner = outer.context ?? outer;
  if (inner === null || typeof inner !== 'object' || Array.isArray(inner))
    throw new InvalidRequestError('context', 'must be a JSON object');
  const {
    canaryPodTemplateHash: _c,
    stablePodTemplateHash: _s,
    context: _x,
    ...rest
  } = inner as Record<string, unknown>;
  const fields = inner as Record<string, unknown>;
  const canaryHash = hashOf(fields, 'canaryPodTemplateHash');
  const stableHash = hashOf(fields, 'stablePodTemplateHash');
  const context: Record<string, unknown> = { ...rest };
  const canarySelector = sideSelector(fields.canarySelector, canaryHash);
  const stableSelector = sideSelector(fields.stableSelector, stableHash);
  if (canarySelector !== undefined) context.canarySelector = canarySelector;
  if (stableSelector !== undefined) context.stableSelector = stableSelector;
  return toAnalysisRequest({
    userId: 'argo-rollouts-web',
    ...(typeof outer.memoryId === 'string' ? { memoryId: outer.memoryId } : {}),
    context,
  });
}

/** Why a web answer is inconclusive: nothing to judge (absent), or too little seen yet (thin). */
export const WebInconclusiveSchema = z.object({
  kind: z.enum(['absent', 'thin']),
  absence: z.string().optional(),
  reason: z.string(),
});

/**
 * The 200 answer of `/web/analyze`. An AnalysisTemplate reads `result.verdict`: `successCondition` on "promote",
 * `failureCondition` on "reject", so "inconclusive" satisfies neither and the measurement is Inconclusive (the
 * rollout pauses for a human). There is no `promote` key when the verdict is inconclusive.
 */
export const WebAnswerSchema = z.object({
  verdict: z.enum(['promote', 'reject', 'inconclusive']),
  promote: z.boolean().optional(),
  confidence: z.number().int().min(0).max(100),
  analysis: z.string(),
  rootCause: z.string(),
  remediation: z.string(),
  prLink: z.string().optional(),
  decidedBy: z.string().optional(),
  inconclusive: WebInconclusiveSchema.optional(),
});
export type WebAnswer = z.infer<typeof WebAnswerSchema>;

export function toWebAnswer(outcome: AnalysisOutcome): WebAnswer {
  if (outcome.absent) {
    const { absence, reason } = outcome.absent;
    return {
      verdict: 'inconclusive',
      confidence: 0,
      analysis: `No verdict: ${reason}`,
      rootCause: 'none',
      remediation: 'none required',
      inconclusive: { kind: 'absent', absence, reason },
    };
  }
  const { answer } = outcome;
  const common = {
    confidence: answer.confidence,
    analysis: answer.analysis,
    rootCause: answer.rootCause,
    remediation: answer.remediation,
    ...(answer.prLink ? { prLink: answer.prLink } : {}),
    decidedBy: outcome.verdict.decidedBy,
  };
  if (outcome.outcome === 'inconclusive')
    return {
      verdict: 'inconclusive',
      ...common,
      inconclusive: { kind: 'thin', reason: outcome.verdict.inconclusive?.reason ?? 'the evidence is thin' },
    };
  return { verdict: outcome.outcome, promote: outcome.outcome === 'promote', ...common };
}

// ---------------------------------------------------------------------------------------------------------------
// Flagger

/** The hooks served: the analysis gates the canary on these. */
export const FLAGGER_HOOKS = ['pre-rollout', 'rollout', 'confirm-promotion'] as const;
export type FlaggerHook = (typeof FLAGGER_HOOKS)[number];

export function isFlaggerHook(value: string): value is FlaggerHook {
  return (FLAGGER_HOOKS as readonly string[]).includes(value);
}

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** What Flagger POSTs to every webhook (its CanaryWebhookPayload). */
export const FlaggerPayloadSchema = z.looseObject({
  name: z.string().min(1).max(253).regex(NAME, 'is not a Kubernetes object name'),
  namespace: z.string().min(1).max(63).regex(NAME, 'is not a namespace name'),
  phase: z.string().max(64).optional(),
  checksum: z.string().max(256).optional(),
  /** The webhook's `metadata` from the Canary spec: `extraPrompt`, `repoUrl`, `baseBranch` are read from it. */
  metadata: z.record(z.string(), z.string()).optional(),
});
export type FlaggerPayload = z.infer<typeof FlaggerPayloadSchema>;

export function toFlaggerPayload(body: unknown): FlaggerPayload {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new InvalidRequestError('body', 'must be a JSON object');
  const parsed = FlaggerPayloadSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidRequestError(issue?.path.join('.') || 'body', issue?.message ?? 'is invalid');
  }
  return parsed.data;
}

/** Where the analysis of a hook stands: its outcome, or still running. */
export type FlaggerState = { kind: 'outcome'; outcome: AnalysisOutcome } | { kind: 'running' };

export interface FlaggerAnswer {
  status: number;
  verdict: Outcome | 'running';
  /** One line: Flagger keeps the body of a failed check as its message. */
  text: string;
}

/** A 4xx status that Flagger counts as a failed check (it treats any status above 202 as one) and never retries. */
export const FLAGGER_REJECT_STATUS = 422;
/** `confirm-promotion` held: promotion waits, the canary is not failed. */
export const FLAGGER_HOLD_STATUS = 409;

const MAX_LINE = 500;

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > MAX_LINE ? `${line.slice(0, MAX_LINE - 1)}…` : line;
}

function firstSentence(text: string): string {
  const line = oneLine(text);
  const end = line.search(/[.!?](\s|$)/);
  return end > 0 ? line.slice(0, end + 1) : line;
}

/**
 * Maps an analysis (or its absence yet) to a hook answer. Promote: 200. Reject: 422 naming the root cause, on every
 * hook. Inconclusive (thin or absent evidence) and a running analysis: `confirm-promotion` is held (409), while
 * `pre-rollout` and `rollout` answer 200 / 202 saying why, so they do not count against the canary.
 */
export function toFlaggerAnswer(hook: FlaggerHook, state: FlaggerState): FlaggerAnswer {
  const gate = hook === 'confirm-promotion';
  if (state.kind === 'running') {
    return gate
      ? {
          status: FLAGGER_HOLD_STATUS,
          verdict: 'running',
          text: 'hold: the analysis is still running; promotion waits for its verdict',
        }
      : {
          status: 202,
          verdict: 'running',
          text: 'analysis started; not counted against the canary until it has a verdict',
        };
  }
  const { outcome } = state;
  if (outcome.absent) {
    const why = `no verdict: ${oneLine(outcome.absent.reason)}`;
    return gate
      ? { status: FLAGGER_HOLD_STATUS, verdict: 'inconclusive', text: oneLine(`hold: ${why}`) }
      : { status: 200, verdict: 'inconclusive', text: oneLine(`inconclusive, not counted against the canary: ${why}`) };
  }
  const { answer } = outcome;
  const link = answer.prLink ? ` (fix: ${answer.prLink})` : '';
  if (outcome.outcome === 'reject') {
    const cause = answer.rootCause && answer.rootCause !== 'none' ? answer.rootCause : firstSentence(answer.analysis);
    return {
      status: FLAGGER_REJECT_STATUS,
      verdict: 'reject',
      text: oneLine(`reject (confidence ${answer.confidence}): ${oneLine(cause).slice(0, 400)}${link}`),
    };
  }
  if (outcome.outcome === 'inconclusive') {
    const why = outcome.verdict.inconclusive?.reason ?? firstSentence(answer.analysis);
    return gate
      ? { status: FLAGGER_HOLD_STATUS, verdict: 'inconclusive', text: oneLine(`hold: inconclusive, ${why}`) }
      : {
          status: 200,
          verdict: 'inconclusive',
          text: oneLine(`inconclusive, not counted against the canary: ${why}`),
        };
  }
  return {
    status: 200,
    verdict: 'promote',
    text: oneLine(`promote (confidence ${answer.confidence}): ${firstSentence(answer.analysis)}${link}`),
  };
}

/**
 * The analysis request of a Flagger hook, once the canary's and primary's pod selectors are known (from the Canary's
 * targetRef and its Deployments). `metadata` of the webhook may carry `extraPrompt`, `repoUrl` and `baseBranch`.
 */
export function toFlaggerAnalysisRequest(
  payload: FlaggerPayload,
  selectors: { canarySelector: string; stableSelector: string },
): AnalysisRequest {
  const metadata = payload.metadata ?? {};
  return toAnalysisRequest({
    userId: 'flagger',
    memoryId: `flagger:${payload.namespace}/${payload.name}`,
    context: {
      namespace: payload.namespace,
      canarySelector: selectors.canarySelector,
      stableSelector: selectors.stableSelector,
      ...(metadata.extraPrompt !== undefined ? { extraPrompt: metadata.extraPrompt } : {}),
      ...(metadata.repoUrl !== undefined ? { repoUrl: metadata.repoUrl } : {}),
      ...(metadata.baseBranch !== undefined ? { baseBranch: metadata.baseBranch } : {}),
    },
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Events

export const VERDICT_EVENT_REASONS: Record<Outcome, string> = {
  promote: 'AnalysisPromote',
  reject: 'AnalysisReject',
  inconclusive: 'AnalysisInconclusive',
};

/**
 * The Event a verdict leaves on the analysed object. Reject is a Warning naming the cause (and the fix's link);
 * promote and inconclusive are Normal. The key leaves out what changes between measurements of one verdict
 * (confidence, how long the canary has run), so identical verdicts update one Event's count.
 */
export function toVerdictEvent(involvedObject: VerdictEvent['involvedObject'], outcome: AnalysisOutcome): VerdictEvent {
  const reason = VERDICT_EVENT_REASONS[outcome.outcome];
  if (outcome.absent) {
    return {
      involvedObject,
      type: 'Normal',
      reason,
      message: oneLine(`No verdict: ${outcome.absent.reason}`),
      key: `absent:${outcome.absent.absence}`,
    };
  }
  const { answer } = outcome;
  const link = answer.prLink ? ` Fix: ${answer.prLink}` : '';
  if (outcome.outcome === 'reject') {
    const cause = oneLine(
      answer.rootCause && answer.rootCause !== 'none' ? answer.rootCause : firstSentence(answer.analysis),
    )
      .slice(0, 400)
      .replace(/[.\s]+$/, '');
    return {
      involvedObject,
      type: 'Warning',
      reason,
      message: oneLine(`Do not promote (confidence ${answer.confidence}): ${cause}.${link}`),
      key: `reject:${cause}`,
    };
  }
  if (outcome.outcome === 'inconclusive') {
    const why = outcome.verdict.inconclusive?.reason ?? firstSentence(answer.analysis);
    return { involvedObject, type: 'Normal', reason, message: oneLine(`Inconclusive: ${why}`), key: 'thin' };
  }
  return {
    involvedObject,
    type: 'Normal',
    reason,
    message: oneLine(`Promote (confidence ${answer.confidence}): ${firstSentence(answer.analysis)}${link}`),
    key: 'promote',
  };
}

/** The Rollout an analysis request names, when it names one. */
export function rolloutReference(request: AnalysisRequest): ObjectReference | undefined {
  return request.rolloutName === undefined
    ? undefined
    : { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', namespace: request.namespace, name: request.rolloutName };
}
