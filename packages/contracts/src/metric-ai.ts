/**
 * The metric-ai plugin's agent-mode wire format (both directions) and its normalisation into an AnalysisRequest.
 * Callers may send the plugin's full body, only `context`, or only the plugin's `prompt` text.
 */
import { z } from 'zod';
import { InvalidRequestError } from './errors.js';
import { parseLabelSelector } from './label-selector.js';

export const DEFAULT_STABLE_SELECTOR = 'role=stable';
export const DEFAULT_CANARY_SELECTOR = 'role=canary';

const optionalText = (max: number) => z.string().max(max).optional();

export const AnalyzeContextSchema = z.looseObject({
  namespace: optionalText(253),
  rolloutName: optionalText(253),
  stableSelector: optionalText(1024),
  canarySelector: optionalText(1024),
  extraPrompt: optionalText(4000),
  repoUrl: optionalText(500),
  baseBranch: optionalText(255),
});

export const AnalyzeRequestSchema = z.looseObject({
  userId: optionalText(253),
  memoryId: optionalText(600),
  prompt: optionalText(16_000),
  context: AnalyzeContextSchema.optional(),
});
export type AnalyzeRequestBody = z.infer<typeof AnalyzeRequestSchema>;

export const ModelResultSchema = z.object({
  modelName: z.string(),
  analysis: z.string(),
  rootCause: z.string(),
  remediation: z.string(),
  promote: z.boolean(),
  confidence: z.number().int().min(0).max(100),
  executionTimeMs: z.number().int().min(0),
  error: z.string(),
});
export type ModelResult = z.infer<typeof ModelResultSchema>;

/** The 200 answer. `promote` and an integer `confidence` are what the plugin acts on. */
export const AnalyzeAnswerSchema = z.object({
  analysis: z.string(),
  rootCause: z.string(),
  remediation: z.string(),
  prLink: z.string().optional(),
  promote: z.boolean(),
  confidence: z.number().int().min(0).max(100),
  modelResults: z.array(ModelResultSchema).optional(),
  /** How many models were asked (the plugin keeps it in the measurement metadata next to modelResults). */
  modelCount: z.number().int().min(0).optional(),
  votingRationale: z.string().optional(),
  /** Not read by the plugin (Go ignores unknown fields) but stored in the measurement's metadata for operators. */
  decidedBy: z.string().optional(),
  evidence: z.unknown().optional(),
  /** What the PR author did, or in a dry run would do (issue, draft PR, preview). */
  prAuthor: z.unknown().optional(),
});
export type AnalyzeAnswer = z.infer<typeof AnalyzeAnswerSchema>;

/** The normalised question every entry point (metric-ai route, A2A, demo) asks the workflow. */
export interface AnalysisRequest {
  namespace: string;
  rolloutName?: string;
  stableSelector: string;
  canarySelector: string;
  extraPrompt?: string;
  repoUrl?: string;
  baseBranch?: string;
  /** `rollout:<ns>/<name>` from the plugin; identifies repeated measurements of one rollout. */
  memoryId?: string;
  userId?: string;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** What the plugin's prompt text says, for callers that send only `prompt`. */
export function parsePluginPrompt(prompt: string): Partial<AnalysisRequest> {
  const out: Partial<AnalysisRequest> = {};
  const rollout = /rollout\s+'([^']+)'/i.exec(prompt)?.[1];
  if (rollout) out.rolloutName = rollout;
  const ns = /Namespace:\s*([A-Za-z0-9.-]+?)\.?(?:\s|$)/.exec(prompt)?.[1];
  if (ns) out.namespace = ns;
  // Selectors may contain parentheses (`tier in (a,b)`), so match up to the phrase that follows each one.
  const stable = /stable pods \(selector:\s*(.+?)\)\s+vs\s+canary pods/is.exec(prompt)?.[1];
  if (stable) out.stableSelector = stable.trim();
  const canary = /canary pods \(selector:\s*(.+?)\)\.?\s*(?:Use|Determine|$)/is.exec(prompt)?.[1];
  if (canary) out.canarySelector = canary.trim();
  const extra = /Additional context:\s*([\s\S]+)$/i.exec(prompt)?.[1]?.trim();
  if (extra) out.extraPrompt = extra;
  return out;
}

function nonEmpty(v: string | undefined): string | undefined {
  const t = v?.trim();
  return t ? t : undefined;
}

/** Validates a decoded body and fills the plugin's defaults. Throws InvalidRequestError naming the field. */
export function toAnalysisRequest(body: unknown): AnalysisRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new InvalidRequestError('body', 'must be a JSON object');
  }
  const parsed = AnalyzeRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') || 'body';
    throw new InvalidRequestError(field, issue?.message ?? 'is invalid');
  }
  const { context = {}, prompt, memoryId, userId } = parsed.data;
  const fromPrompt = prompt ? parsePluginPrompt(prompt) : {};

  const namespace = nonEmpty(context.namespace) ?? fromPrompt.namespace;
  if (!namespace)
    throw new InvalidRequestError(
      'context.namespace',
      'is required (send context.namespace, or a prompt that names the namespace)',
    );
  if (namespace.length > 63 || !DNS_LABEL.test(namespace)) {
    throw new InvalidRequestError('context.namespace', `"${namespace}" is not a valid namespace name`);
  }
  const rolloutName = nonEmpty(context.rolloutName) ?? fromPrompt.rolloutName;
  if (rolloutName !== undefined && !DNS_SUBDOMAIN.test(rolloutName)) {
    throw new InvalidRequestError('context.rolloutName', `"${rolloutName}" is not a valid object name`);
  }
  const stableSelector = nonEmpty(context.stableSelector) ?? fromPrompt.stableSelector ?? DEFAULT_STABLE_SELECTOR;
  const canarySelector = nonEmpty(context.canarySelector) ?? fromPrompt.canarySelector ?? DEFAULT_CANARY_SELECTOR;
  for (const [field, selector] of [
    ['context.stableSelector', stableSelector],
    ['context.canarySelector', canarySelector],
  ] as const) {
    const result = parseLabelSelector(selector);
    if (!result.ok) throw new InvalidRequestError(field, `invalid label selector "${selector}": ${result.message}`);
  }
  const repoUrl = nonEmpty(context.repoUrl);
  if (repoUrl !== undefined && !/^https?:\/\/[^\s/]+\/[^\s/]+\/[^\s/]+?(\.git)?\/?$/.test(repoUrl)) {
    throw new InvalidRequestError(
      'context.repoUrl',
      `"${repoUrl}" is not a repository URL like https://github.com/org/repo`,
    );
  }
  const baseBranch = nonEmpty(context.baseBranch);
  if (baseBranch !== undefined && !/^[A-Za-z0-9._/-]+$/.test(baseBranch)) {
    throw new InvalidRequestError('context.baseBranch', `"${baseBranch}" is not a valid branch name`);
  }

  const request: AnalysisRequest = { namespace, stableSelector, canarySelector };
  if (rolloutName !== undefined) request.rolloutName = rolloutName;
  const extraPrompt = nonEmpty(context.extraPrompt) ?? fromPrompt.extraPrompt;
  if (extraPrompt !== undefined) request.extraPrompt = extraPrompt;
  if (repoUrl !== undefined) request.repoUrl = repoUrl;
  if (baseBranch !== undefined) request.baseBranch = baseBranch;
  const memory = nonEmpty(memoryId) ?? (rolloutName ? `rollout:${namespace}/${rolloutName}` : undefined);
  if (memory !== undefined) request.memoryId = memory;
  const user = nonEmpty(userId);
  if (user !== undefined) request.userId = user;
  return request;
}
