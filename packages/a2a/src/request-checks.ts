/**
 * The SDK's request handler with what it leaves open:
 * - parameter rules, checked once for both bindings: `historyLength` is a non-negative integer (the SDK treats -1
 *   as 0), and `statusTimestampAfter` is an RFC 3339 timestamp (the SDK takes anything `Date.parse` reads, so "-1"
 *   meant the year 2001);
 * - CancelTask for a task another replica runs (no event bus here): the request goes to that replica, which aborts
 *   the run, and the task is CANCELED in the shared store;
 * - SubscribeToTask for a task another replica runs: the updates that replica publishes, until the task ends (its
 *   state is also read from the shared store now and then, so a lost update or a dead replica cannot hang it);
 * - typed failures (the shared task store unreachable): kept per call so the JSON-RPC binding, whose SDK transport
 *   turns every error into an internal one, can answer them as the service's typed error (503, Retry-After).
 */
import {
  TaskState,
  type AgentCard,
  type CancelTaskRequest,
  type GetTaskRequest,
  type ListTasksRequest,
  type ListTasksResponse,
  type Message,
  type SendMessageRequest,
  type StreamResponse,
  type SubscribeToTaskRequest,
  type Task,
} from '@a2a-js/sdk';
import { RequestMalformedError, TaskNotFoundError, UnsupportedOperationError } from '@a2a-js/sdk/errors';
import {
  DefaultExecutionEventBusManager,
  DefaultRequestHandler,
  type AgentExecutionEvent,
  type ExecutionEventBus,
  type AgentExecutor,
  type ExecutionEventBusManager,
  type ServerCallContext,
  type TaskStore,
} from '@a2a-js/sdk/server';
import { AgentError } from '@aiops/contracts';
import { z } from 'zod';
import type { TaskCancels, TaskUpdates } from './redis-task-store.js';
import { isFinished, ownerOf, scopeKey } from './task-store.js';

/** What another replica needs of a task running here: its cancel requests, and its updates for its streams. */
export interface Replicas {
  cancels: TaskCancels;
  updates: TaskUpdates;
  /** How often a stream following a task run elsewhere reads its state from the store. Default 5 s. */
  checkMs?: number;
}

const RUNNING = new Set<TaskState>([TaskState.TASK_STATE_SUBMITTED, TaskState.TASK_STATE_WORKING]);
const running = (state: TaskState | undefined) => state !== undefined && RUNNING.has(state);

function asUpdate(event: AgentExecutionEvent): StreamResponse | undefined {
  switch (event.kind) {
    case 'task':
      return { payload: { $case: 'task', value: event.data } };
    case 'statusUpdate':
      return { payload: { $case: 'statusUpdate', value: event.data } };
    case 'artifactUpdate':
      return { payload: { $case: 'artifactUpdate', value: event.data } };
    default:
      return undefined;
  }
}

/** The SDK's bus manager, whose buses also publish their task's updates for the streams of other replicas. */
export class PublishingBusManager extends DefaultExecutionEventBusManager {
  constructor(private readonly updates?: TaskUpdates) {
    super(ownerOf);
  }

  override createOrGetByTaskId(taskId: string, context?: ServerCallContext): ExecutionEventBus {
    const existing = this.getByTaskId(taskId, context);
    if (existing) return existing;
    const bus = super.createOrGetByTaskId(taskId, context);
    const updates = this.updates;
    if (updates && context) {
      const scope = scopeKey(context);
      bus.on('event', (event: AgentExecutionEvent) => {
        const update = asUpdate(event);
        if (update) updates.publish(scope, taskId, update);
      });
    }
    return bus;
  }
}

const rfc3339 = z.iso.datetime({ offset: true });

export function checkHistoryLength(value: number | undefined, field: string): void {
  if (value !== undefined && (!Number.isInteger(value) || value < 0))
    throw new RequestMalformedError(`${field} must be a non-negative integer`);
}

export function checkTimestamp(value: string | undefined, field: string): void {
  if (value !== undefined && value !== '' && !rfc3339.safeParse(value).success) {
    throw new RequestMalformedError(`${field} must be an RFC 3339 timestamp such as 2025-01-31T12:00:00Z`);
  }
}

export class CheckedRequestHandler extends DefaultRequestHandler {
  private readonly failures = new WeakMap<ServerCallContext, AgentError>();

  constructor(
    card: AgentCard,
    private readonly store: TaskStore,
    executor: AgentExecutor,
    private readonly buses: ExecutionEventBusManager,
    private readonly replicas?: Replicas,
  ) {
    super(card, store, executor, buses, undefined, undefined, undefined, undefined, {
      // INPUT_REQUIRED tasks continue with a new message on a new bus, so no bus outlives its executor.
      keepBusAliveStates: [],
    });
  }

  /** The typed failure (AgentError) that ended this call, if one did. */
  typedFailureOf(context: ServerCallContext): AgentError | undefined {
    return this.failures.get(context);
  }

  private async typed<T>(context: ServerCallContext, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (err instanceof AgentError) this.failures.set(context, err);
      throw err;
    }
  }

  override async getTask(params: GetTaskRequest, context: ServerCallContext): Promise<Task> {
    checkHistoryLength(params.historyLength, 'historyLength');
    return this.typed(context, () => super.getTask(params, context));
  }

  override async listTasks(params: ListTasksRequest, context: ServerCallContext): Promise<ListTasksResponse> {
    checkHistoryLength(params.historyLength, 'historyLength');
    checkTimestamp(params.statusTimestampAfter, 'statusTimestampAfter');
    return this.typed(context, () => super.listTasks(params, context));
  }

  override async sendMessage(params: SendMessageRequest, context: ServerCallContext): Promise<Message | Task> {
    checkHistoryLength(params.configuration?.historyLength, 'configuration.historyLength');
    return this.typed(context, () => super.sendMessage(params, context));
  }

  override async cancelTask(params: CancelTaskRequest, context: ServerCallContext): Promise<Task> {
    return this.typed(context, async () => {
      if (this.replicas && !this.buses.getByTaskId(params.id, context)) {
        // Not running here: the replica that runs it (if one does) aborts it. The SDK then saves CANCELED itself
        // unless that replica did first; a finished task is final in the store, so neither overwrites the other.
        const task = await this.store.load(params.id, context);
        if (task && !isFinished(task)) await this.replicas.cancels.request(params.id, scopeKey(context));
      }
      return super.cancelTask(params, context);
    });
  }

  override async *sendMessageStream(
    params: SendMessageRequest,
    context: ServerCallContext,
  ): AsyncGenerator<StreamResponse, void, undefined> {
    checkHistoryLength(params.configuration?.historyLength, 'configuration.historyLength');
    yield* super.sendMessageStream(params, context);
  }

  override async *resubscribe(
    params: SubscribeToTaskRequest,
    context: ServerCallContext,
  ): AsyncGenerator<StreamResponse, void, undefined> {
    if (!this.replicas || this.buses.getByTaskId(params.id, context)) {
      yield* super.resubscribe(params, context);
      return;
    }
    // Followed before the task is read, so no update falls between the two.
    const follower = await this.replicas.updates.follow(scopeKey(context), params.id);
    try {
      const task = await this.store.load(params.id, context);
      if (!task) throw new TaskNotFoundError(`Task not found: ${params.id}`);
      if (isFinished(task))
        throw new UnsupportedOperationError(
          `Task ${params.id} is in a terminal state (${task.status?.state}) and cannot be subscribed to.`,
        );
      yield { payload: { $case: 'task', value: task } };
      if (!running(task.status?.state)) return;
      for (;;) {
        const update = await follower.next(this.replicas.checkMs ?? 5_000);
        if (update) {
          yield update;
          const payload = update.payload;
          const state =
            payload?.$case === 'statusUpdate'
              ? payload.value.status?.state
              : payload?.$case === 'task'
                ? payload.value.status?.state
                : TaskState.TASK_STATE_WORKING;
          if (!running(state)) return;
          continue;
        }
        // Quiet for a while: the store says whether it ended meanwhile (an update lost, its replica gone).
        const now = await this.store.load(params.id, context);
        if (!now) return;
        if (!running(now.status?.state)) {
          yield {
            payload: {
              $case: 'statusUpdate',
              value: { taskId: now.id, contextId: now.contextId, status: now.status, metadata: undefined },
            },
          };
          return;
        }
      }
    } finally {
      follower.close();
    }
  }
}
