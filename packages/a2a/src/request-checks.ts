/**
 * The SDK's request handler with what it leaves open:
 * - parameter rules, checked once for both bindings: `historyLength` is a non-negative integer (the SDK treats -1
 *   as 0), and `statusTimestampAfter` is an RFC 3339 timestamp (the SDK takes anything `Date.parse` reads, so "-1"
 *   meant the year 2001);
 * - CancelTask for a task another replica runs (no event bus here): the request goes to that replica, which aborts
 *   the run, and the task is CANCELED in the shared store;
 * - typed failures (the shared task store unreachable): kept per call so the JSON-RPC binding, whose SDK transport
 *   turns every error into an internal one, can answer them as the service's typed error (503, Retry-After).
 */
import type {
  AgentCard,
  CancelTaskRequest,
  GetTaskRequest,
  ListTasksRequest,
  ListTasksResponse,
  Message,
  SendMessageRequest,
  StreamResponse,
  Task,
} from '@a2a-js/sdk';
import { RequestMalformedError } from '@a2a-js/sdk/errors';
import {
  DefaultRequestHandler,
  type AgentExecutor,
  type ExecutionEventBusManager,
  type ServerCallContext,
  type TaskStore,
} from '@a2a-js/sdk/server';
import { AgentError } from '@aiops/contracts';
import { z } from 'zod';
import type { TaskCancels } from './redis-task-store.js';
import { isFinished, scopeKey } from './task-store.js';

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
    private readonly cancels?: TaskCancels,
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
      if (this.cancels && !this.buses.getByTaskId(params.id, context)) {
        // Not running here: the replica that runs it (if one does) aborts it. The SDK then saves CANCELED itself
        // unless that replica did first; a finished task is final in the store, so neither overwrites the other.
        const task = await this.store.load(params.id, context);
        if (task && !isFinished(task)) await this.cancels.request(params.id, scopeKey(context));
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
}
