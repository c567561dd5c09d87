/**
 * The SDK's TaskStore, bounded: at most `maxTasks` tasks (oldest first out, finished tasks before running ones),
 * none older than `maxAgeMs` since its last update, and every task visible only to the caller that created it
 * (the authenticated user; one shared "anonymous" scope when auth is off). The SDK's InMemoryTaskStore never
 * evicts, which in a long-running service is a memory leak driven by callers.
 *
 * A finished task is final: a later save of the same task (a progress update racing a cancel made elsewhere) is
 * ignored, so CANCELED, COMPLETED or FAILED is never overwritten. The Redis store (redis-task-store.ts) keeps the
 * same rules across replicas; this file holds what both share.
 */
import { TaskState, type ListTasksRequest, type ListTasksResponse, type Task } from '@a2a-js/sdk';
import { RequestMalformedError } from '@a2a-js/sdk/errors';
import type { ServerCallContext, TaskStore } from '@a2a-js/sdk/server';

export const ANONYMOUS_OWNER = 'anonymous';

export interface BoundedTaskStoreOptions {
  /** Default 1,000. */
  maxTasks?: number;
  /** Default one hour. */
  maxAgeMs?: number;
  /** Injectable clock for tests. */
  now?: () => number;
}

interface Entry {
  task: Task;
  updatedAt: number;
}

const TERMINAL = new Set<TaskState>([
  TaskState.TASK_STATE_COMPLETED,
  TaskState.TASK_STATE_FAILED,
  TaskState.TASK_STATE_CANCELED,
  TaskState.TASK_STATE_REJECTED,
]);
const DEFAULT_PAGE_SIZE = 50;

/** COMPLETED, FAILED, CANCELED or REJECTED: nothing changes the task any more. */
export function isFinished(task: Task): boolean {
  const state = task.status?.state;
  return state !== undefined && TERMINAL.has(state);
}

/** Who owns a call's tasks; the same rule as the SDK's resolveUserScope, with a clearer anonymous name. */
export function ownerOf(context: ServerCallContext): string {
  const user = context.user;
  return user?.isAuthenticated && user.userName ? user.userName : ANONYMOUS_OWNER;
}

/** The key of a caller's scope: its tenant and owner. */
export function scopeKey(context: ServerCallContext): string {
  return JSON.stringify([context.tenant ?? '', ownerOf(context)]);
}

function encodePageToken(timestamp: string, id: string): string {
  return Buffer.from(`${timestamp}|${id}`).toString('base64');
}

function decodePageToken(token: string): { timestamp: string; id: string } {
  const [timestamp = '', ...rest] = Buffer.from(token, 'base64').toString('utf8').split('|');
  if (rest.length === 0) throw new RequestMalformedError('pageToken is not a token this server issued');
  return { timestamp, id: rest.join('|') };
}

export class BoundedTaskStore implements TaskStore {
  readonly maxTasks: number;
  readonly maxAgeMs: number;
  private readonly now: () => number;
  /** Insertion order is update order: the first entry is the least recently updated. */
  private readonly entries = new Map<string, Entry>();

  constructor(options: BoundedTaskStoreOptions = {}) {
    this.maxTasks = Math.max(1, options.maxTasks ?? 1_000);
    this.maxAgeMs = Math.max(1, options.maxAgeMs ?? 60 * 60 * 1_000);
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  async save(task: Task, context: ServerCallContext): Promise<void> {
    const key = `${scopeKey(context)}\u0000${task.id}`;
    const stored = this.entries.get(key);
    if (stored && !this.expired(stored) && isFinished(stored.task)) return;
    this.entries.delete(key);
    this.entries.set(key, { task: structuredClone(task), updatedAt: this.now() });
    this.evict();
  }

  async load(taskId: string, context: ServerCallContext): Promise<Task | undefined> {
    const key = `${scopeKey(context)}\u0000${taskId}`;
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (this.expired(entry)) {
      this.entries.delete(key);
      return undefined;
    }
    return structuredClone(entry.task);
  }

  async list(params: ListTasksRequest, context: ServerCallContext): Promise<ListTasksResponse> {
    this.evict();
    const prefix = `${scopeKey(context)}\u0000`;
    const tasks: Task[] = [];
    for (const [key, entry] of this.entries) if (key.startsWith(prefix)) tasks.push(entry.task);
    return pageOf(tasks, params);
  }

  private expired(entry: Entry): boolean {
    return this.now() - entry.updatedAt > this.maxAgeMs;
  }

  private evict(): void {
    for (const [key, entry] of this.entries) {
      // Entries are in update order, so the first fresh one ends the scan.
      if (!this.expired(entry)) break;
      this.entries.delete(key);
    }
    if (this.entries.size <= this.maxTasks) return;
    // Over the bound: drop the oldest finished tasks first, so running analyses keep their state.
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= this.maxTasks) return;
      if (isFinished(entry.task)) this.entries.delete(key);
    }
    for (const key of this.entries.keys()) {
      if (this.entries.size <= this.maxTasks) return;
      this.entries.delete(key);
    }
  }
}

/** One page of a caller's tasks: ListTasks filters, newest first, and the page cursor; copies, never the stored ones. */
export function pageOf(all: Task[], params: ListTasksRequest): ListTasksResponse {
  const pageSize = params.pageSize ?? DEFAULT_PAGE_SIZE;
  let tasks = all;
  if (params.contextId) tasks = tasks.filter((t) => t.contextId === params.contextId);
  if (params.status !== undefined && params.status !== TaskState.TASK_STATE_UNSPECIFIED) {
    tasks = tasks.filter((t) => t.status?.state === params.status);
  }
  if (params.statusTimestampAfter) {
    const after = new Date(params.statusTimestampAfter).getTime();
    tasks = tasks.filter((t) => t.status?.timestamp !== undefined && new Date(t.status.timestamp).getTime() > after);
  }
  // Newest first, as the SDK's store does, with the id as a stable tie-breaker for the page cursor.
  tasks = [...tasks].sort(
    (a, b) => (b.status?.timestamp ?? '').localeCompare(a.status?.timestamp ?? '') || b.id.localeCompare(a.id),
  );
  const totalSize = tasks.length;
  if (params.pageToken) {
    const cursor = decodePageToken(params.pageToken);
    const at = tasks.findIndex((t) => (t.status?.timestamp ?? '') === cursor.timestamp && t.id === cursor.id);
    tasks = at === -1 ? [] : tasks.slice(at + 1);
  }
  const page = tasks.slice(0, pageSize);
  const last = page.at(-1);
  return {
    tasks: page.map((t) => {
      const copy = structuredClone(t);
      if (!params.includeArtifacts) copy.artifacts = [];
      return copy;
    }),
    nextPageToken: last && tasks.length > page.length ? encodePageToken(last.status?.timestamp ?? '', last.id) : '',
    pageSize,
    totalSize,
  };
}
