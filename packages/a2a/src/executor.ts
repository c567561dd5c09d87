/**
 * The A2A AgentExecutor bridging a task to the analysis workflow (`AnalyzeFn`):
 * input (a `data` part shaped like the metric-ai plugin's `context`, or free text) → AnalysisRequest → progress
 * as WORKING status updates → a `verdict` data artifact, a `summary` text artifact and COMPLETED; typed errors
 * become FAILED with the mapped message; a missing namespace asks for it with INPUT_REQUIRED.
 */
import { randomUUID } from 'node:crypto';
import { Role, TaskState, type Artifact, type Message, type Part, type Task } from '@a2a-js/sdk';
import { AgentEvent, type AgentExecutor, type ExecutionEventBus, type RequestContext } from '@a2a-js/sdk/server';
import {
  InvalidRequestError,
  toA2aFailure,
  toAnalysisRequest,
  withoutAddresses,
  type AnalysisOutcome,
  type AnalysisRequest,
  type AnalyzeFn,
  type ProgressEvent,
} from '@aiops/contracts';
import { scopeKey } from './task-store.js';
import { parseTextRequest, type TextRequestFields } from './text-request.js';

export interface ExecutorLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  debug?(obj: object, msg?: string): void;
}

/** Examples in the verdict artifact: a caller sees the shape of a failure, never pages of its logs. */
export const ARTIFACT_EXAMPLES = 2;
export const ARTIFACT_EXAMPLE_CHARS = 200;

const clip = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

const PROGRESS_TEXT: Record<ProgressEvent['agent'], string> = {
  'log-fetcher': 'log fetcher (pods, logs, restarts, events)',
  'metrics-analyst': 'metrics analyst (canary vs stable)',
  diagnosis: 'diagnosis (model)',
  policy: 'policy',
  'pr-author': 'PR author',
};

function textPart(text: string): Part {
  return { content: { $case: 'text', value: text }, mediaType: 'text/plain', filename: '', metadata: undefined };
}

function dataPart(value: unknown): Part {
  return { content: { $case: 'data', value }, mediaType: 'application/json', filename: '', metadata: undefined };
}

function agentMessage(taskId: string, contextId: string, parts: Part[], metadata?: Record<string, unknown>): Message {
  return {
    messageId: randomUUID(),
    taskId,
    contextId,
    role: Role.ROLE_AGENT,
    parts,
    metadata,
    extensions: [],
    referenceTaskIds: [],
  };
}

type Interpretation =
  | { kind: 'request'; request: AnalysisRequest }
  | { kind: 'missing-namespace'; fields: TextRequestFields };

/** The fields a message carries: its `data` part (plugin `context` shape, or a whole plugin body), else its text. */
function fieldsOf(message: Message): { fields: Record<string, unknown>; fromText: boolean } | undefined {
  for (const part of message.parts) {
    if (part.content?.$case === 'data') {
      const data: unknown = part.content.value;
      if (data === null || typeof data !== 'object' || Array.isArray(data)) {
        throw new InvalidRequestError(
          'message.parts.data',
          'must be a JSON object with the fields namespace, rolloutName, stableSelector, canarySelector, ...',
        );
      }
      const record = data as Record<string, unknown>;
      // A forwarded plugin body carries its fields under `context`.
      const context = record.context;
      if (context !== null && typeof context === 'object' && !Array.isArray(context))
        return { fields: context as Record<string, unknown>, fromText: false };
      return { fields: record, fromText: false };
    }
  }
  const text = message.parts
    .map((p) => (p.content?.$case === 'text' ? p.content.value : ''))
    .filter((t) => t.trim() !== '')
    .join('\n');
  if (text === '') return undefined;
  return { fields: { ...parseTextRequest(text) }, fromText: true };
}

/**
 * Reads the request from the task's user messages, later ones overriding earlier ones, so a reply to
 * INPUT_REQUIRED ("namespace shop") completes the question asked first.
 */
export function interpretMessages(messages: Message[]): Interpretation {
  let merged: Record<string, unknown> = {};
  let sawInput = false;
  for (const message of messages) {
    if (message.role !== Role.ROLE_USER) continue;
    const found = fieldsOf(message);
    if (!found) continue;
    sawInput = true;
    const defined = Object.fromEntries(Object.entries(found.fields).filter(([, v]) => v !== undefined && v !== ''));
    merged = { ...merged, ...defined };
  }
  if (!sawInput)
    throw new InvalidRequestError('message.parts', 'send a data part with the analysis fields, or a text question');
  const namespace = merged.namespace;
  if (namespace === undefined || (typeof namespace === 'string' && namespace.trim() === '')) {
    return { kind: 'missing-namespace', fields: merged };
  }
  return { kind: 'request', request: toAnalysisRequest({ context: merged }) };
}

function topSignatures(outcome: AnalysisOutcome): unknown[] {
  return outcome.evidence.logs.signatures.slice(0, 5).map((s) => ({
    id: s.id,
    template: clip(s.template, ARTIFACT_EXAMPLE_CHARS),
    severity: s.severity,
    kind: s.kind,
    canaryOnly: s.canaryOnly,
    canary: s.canary,
    stable: s.stable,
    // Redacted where the text entered the process; clipped here, the full evidence goes to the debug log.
    examples: s.examples.slice(0, ARTIFACT_EXAMPLES).map((e) => clip(e, ARTIFACT_EXAMPLE_CHARS)),
  }));
}

/** The outcome's reason in one line: what is missing, what is thin, what failed, or why the canary passes. */
export function reasonOf(outcome: AnalysisOutcome): string {
  if (outcome.absent) return outcome.absent.reason;
  const { verdict } = outcome;
  if (verdict.inconclusive) return verdict.inconclusive.reason;
  if (verdict.outcome === 'reject') return verdict.rootCause;
  return verdict.disagreement
    ? `promoted over the model's unfounded veto: ${verdict.disagreement}`
    : 'no canary-only errors, crashes or regressions were observed';
}

/**
 * The `verdict` artifact: `verdict` (promote, reject or inconclusive) and its `reason`, then the metric-ai answer
 * and the evidence behind it. `promote` is present only for promote and reject: an inconclusive outcome is not one.
 */
export function verdictData(outcome: AnalysisOutcome): Record<string, unknown> {
  const evidence = {
    findings: outcome.evidence.findings,
    topSignatures: topSignatures(outcome),
    metrics: outcome.evidence.metrics,
    notes: outcome.evidence.notes,
  };
  if (outcome.absent) {
    return {
      verdict: 'inconclusive',
      reason: outcome.absent.reason,
      inconclusive: { kind: 'absent', absence: outcome.absent.absence },
      pods: { canary: outcome.evidence.pods.canary.length, stable: outcome.evidence.pods.stable.length },
      evidence,
      durationMs: outcome.durationMs,
    };
  }
  const { promote, ...answer } = outcome.answer;
  const data: Record<string, unknown> = {
    verdict: outcome.outcome,
    reason: reasonOf(outcome),
    ...(outcome.outcome === 'inconclusive' ? { inconclusive: { kind: 'thin' } } : { promote }),
    ...answer,
    decidedBy: outcome.verdict.decidedBy,
    evidenceIds: outcome.verdict.evidenceIds,
    evidence,
    durationMs: outcome.durationMs,
  };
  if (outcome.verdict.disagreement !== undefined) data.disagreement = outcome.verdict.disagreement;
  if (outcome.remediation !== undefined) data.remediationResult = outcome.remediation;
  return data;
}

const HEADLINE: Record<AnalysisOutcome['outcome'], string> = {
  promote: 'PROMOTE',
  reject: 'DO NOT PROMOTE',
  inconclusive: 'INCONCLUSIVE',
};

export function summaryText(request: AnalysisRequest, outcome: AnalysisOutcome): string {
  const target = request.rolloutName
    ? `rollout ${request.namespace}/${request.rolloutName}`
    : `namespace ${request.namespace}`;
  if (outcome.absent)
    return `${HEADLINE.inconclusive}: nothing to judge for the canary of ${target}: ${outcome.absent.reason}.`;
  const a = outcome.answer;
  const lines = [
    `${HEADLINE[outcome.outcome]} the canary of ${target} (confidence ${a.confidence}/100).`,
    `Reason: ${reasonOf(outcome)}`,
    `Analysis: ${a.analysis}`,
    `Root cause: ${a.rootCause}`,
    `Remediation: ${a.remediation}`,
  ];
  const hard = outcome.evidence.findings.filter((f) => f.hard);
  if (hard.length > 0) lines.push(`Hard failures: ${hard.map((f) => f.title).join('; ')}`);
  if (a.prLink) lines.push(`Pull request: ${a.prLink}`);
  return lines.join('\n');
}

/** The COMPLETED status line and its metadata. */
function completion(outcome: AnalysisOutcome): { text: string; metadata: Record<string, unknown> } {
  if (outcome.absent)
    return {
      text: `Inconclusive: ${outcome.absent.reason}.`,
      metadata: { verdict: 'inconclusive', absence: outcome.absent.absence },
    };
  const { confidence, promote } = outcome.answer;
  const words: Record<AnalysisOutcome['outcome'], string> = {
    promote: 'Promote',
    reject: 'Do not promote',
    inconclusive: 'Inconclusive (thin evidence)',
  };
  return {
    text: `${words[outcome.outcome]} (confidence ${confidence}/100).`,
    metadata: { verdict: outcome.outcome, confidence, ...(outcome.outcome === 'inconclusive' ? {} : { promote }) },
  };
}

export class AnalysisExecutor implements AgentExecutor {
  /** Running analyses by task id, so CancelTask (here or from another replica) reaches the workflow's signal. */
  private readonly running = new Map<
    string,
    { controller: AbortController; contextId: string; scope: string; bus: ExecutionEventBus }
  >();

  constructor(
    private readonly analyze: AnalyzeFn,
    private readonly logger?: ExecutorLogger,
  ) {}

  get runningCount(): number {
    return this.running.size;
  }

  execute = async (ctx: RequestContext, bus: ExecutionEventBus): Promise<void> => {
    const { taskId, contextId } = ctx;
    const userMessage = ctx.userMessage;
    // Registered before any await so a CancelTask arriving right after the task appears finds it.
    const controller = new AbortController();
    this.running.set(taskId, { controller, contextId, scope: scopeKey(ctx.context), bus });
    const now = () => new Date().toISOString();
    const status = (state: TaskState, message?: Message, metadata?: Record<string, unknown>) =>
      bus.publish(
        AgentEvent.statusUpdate({ taskId, contextId, status: { state, message, timestamp: now() }, metadata }),
      );

    try {
      const history = ctx.task?.history ?? [];
      const known = new Set(history.map((m) => m.messageId));
      const task: Task = ctx.task ?? {
        id: taskId,
        contextId,
        status: { state: TaskState.TASK_STATE_SUBMITTED, message: undefined, timestamp: now() },
        artifacts: [],
        history: [userMessage],
        metadata: undefined,
      };
      bus.publish(AgentEvent.task(task));

      let interpretation: Interpretation;
      try {
        interpretation = interpretMessages(known.has(userMessage.messageId) ? history : [...history, userMessage]);
      } catch (err) {
        this.fail(taskId, contextId, err, status);
        return;
      }
      if (interpretation.kind === 'missing-namespace') {
        const ask =
          'Missing field: namespace. Which namespace is the rollout in? Reply in this task with e.g. "namespace shop", ' +
          'or send a data part {"namespace": "shop", "rolloutName": "checkout"}.';
        status(
          TaskState.TASK_STATE_INPUT_REQUIRED,
          agentMessage(taskId, contextId, [textPart(ask)], { missingField: 'namespace', known: interpretation.fields }),
        );
        return;
      }
      const request = interpretation.request;
      status(
        TaskState.TASK_STATE_WORKING,
        agentMessage(taskId, contextId, [
          textPart(
            `Analysing ${request.rolloutName ? `rollout ${request.namespace}/${request.rolloutName}` : `namespace ${request.namespace}`}.`,
          ),
        ]),
      );

      let outcome: AnalysisOutcome;
      try {
        outcome = await this.analyze(request, {
          signal: controller.signal,
          onProgress: (event) => {
            if (controller.signal.aborted) return;
            // A failed agent's message is an error's: the caller sees it without internal addresses, as in 503s.
            const text = `${PROGRESS_TEXT[event.agent]} ${event.phase}${event.message ? `: ${withoutAddresses(event.message)}` : ''}`;
            status(
              TaskState.TASK_STATE_WORKING,
              agentMessage(taskId, contextId, [textPart(text)], { agent: event.agent, phase: event.phase }),
              { agent: event.agent, phase: event.phase },
            );
          },
        });
      } catch (err) {
        // A cancelled task already has its CANCELED status (published by cancelTask).
        if (!controller.signal.aborted) this.fail(taskId, contextId, err, status);
        return;
      }
      if (controller.signal.aborted) return;

      this.logger?.debug?.({ taskId, evidence: outcome.evidence }, 'a2a verdict evidence');
      const artifacts: Artifact[] = [
        {
          artifactId: 'verdict',
          name: 'verdict',
          description: 'metric-ai answer with the evidence behind it',
          parts: [dataPart(verdictData(outcome))],
          metadata: undefined,
          extensions: [],
        },
        {
          artifactId: 'summary',
          name: 'summary',
          description: 'readable verdict',
          parts: [textPart(summaryText(request, outcome))],
          metadata: undefined,
          extensions: [],
        },
      ];
      for (const artifact of artifacts) {
        bus.publish(
          AgentEvent.artifactUpdate({
            taskId,
            contextId,
            artifact,
            append: false,
            lastChunk: true,
            metadata: undefined,
          }),
        );
      }
      const done = completion(outcome);
      status(TaskState.TASK_STATE_COMPLETED, agentMessage(taskId, contextId, [textPart(done.text)], done.metadata));
    } finally {
      this.running.delete(taskId);
    }
  };

  cancelTask = async (taskId: string, bus: ExecutionEventBus): Promise<void> => {
    const run = this.running.get(taskId);
    // The abort reaches Kubernetes, Prometheus and the model through the workflow's signal.
    run?.controller.abort();
    this.logger?.info({ taskId, running: run !== undefined }, 'a2a task cancelled');
    // Published here, running or not: the SDK's CancelTask waits for this status (and hangs without it).
    bus.publish(
      AgentEvent.statusUpdate({
        taskId,
        contextId: run?.contextId ?? '',
        status: { state: TaskState.TASK_STATE_CANCELED, message: undefined, timestamp: new Date().toISOString() },
        metadata: undefined,
      }),
    );
  };

  /**
   * A cancel request from another replica: when this one runs the task for that caller, the run is aborted and
   * CANCELED is published on its own bus (saved in the shared store, seen by the streams attached here).
   * False when the task does not run here.
   */
  cancelRunning(taskId: string, scope: string): boolean {
    const run = this.running.get(taskId);
    if (!run || run.scope !== scope) return false;
    void this.cancelTask(taskId, run.bus);
    return true;
  }

  private fail(
    taskId: string,
    contextId: string,
    err: unknown,
    status: (state: TaskState, message?: Message, metadata?: Record<string, unknown>) => void,
  ): void {
    const failure = toA2aFailure(err);
    this.logger?.warn({ taskId, code: failure.code, retryable: failure.retryable }, 'a2a task failed');
    const metadata = { code: failure.code, retryable: failure.retryable };
    status(
      TaskState.TASK_STATE_FAILED,
      agentMessage(taskId, contextId, [textPart(failure.message)], metadata),
      metadata,
    );
  }
}
