/**
 * A2A tasks shared by replicas through Redis (ioredis), selected by REDIS_URL: the same TaskStore rules as the
 * in-memory BoundedTaskStore (per-caller scope, at most `maxTasks` with finished tasks evicted first, `maxAgeMs`
 * since the last update, a finished task is final), so GetTask, ListTasks and CancelTask answer the same on
 * every replica whichever one ran the task.
 *
 * Layout under the prefix: `t:<scope>\n<id>` the task (JSON, PX maxAgeMs), `order:done` / `order:run` sorted sets
 * of `<scope>\n<id>` in update order (the global bound, finished first), `idx:<scope>` the caller's sorted index of
 * task ids (ListTasks), `replica:<id>` each replica's heartbeat. Scripts name keys they compute, so this needs a
 * single Redis (or a primary with replicas), not Redis Cluster.
 *
 * A replica that saves a running task (SUBMITTED, WORKING) is its owner and renews a heartbeat every
 * `leaseMs / 3`. A running task whose owner's heartbeat lapsed (the pod died or hangs) is marked FAILED, retryable,
 * by the next replica that reads it, so it never stays WORKING forever.
 *
 * Between replicas (`RedisTaskRelay`, pub/sub): CancelTask on a replica that does not run the task publishes the
 * request; the replica that runs it aborts the run (its signal reaches Kubernetes, Prometheus and the model) and
 * publishes CANCELED on its own event bus, so its local streams see it too. The replica running a task publishes
 * its updates, so SubscribeToTask on another replica follows it to its end.
 *
 * Every Redis call goes through callDependency: a timeout, and a DependencyError('tasks', ...) without addresses.
 */
import { randomUUID } from 'node:crypto';
import { Role, StreamResponse, TaskState, type ListTasksRequest, type ListTasksResponse, type Task } from '@a2a-js/sdk';
import type { ServerCallContext, TaskStore } from '@a2a-js/sdk/server';
import type { Redis } from 'ioredis';
import { callDependency, DependencyError, toA2aFailure, withoutAddresses } from '@aiops/contracts';
import { isFinished, pageOf, scopeKey } from './task-store.js';

export interface RedisTaskStoreOptions {
  /** Default 1,000. */
  maxTasks?: number;
  /** Default one hour. */
  maxAgeMs?: number;
  /** How long a replica's running tasks outlive its last heartbeat. Default 30 s. */
  leaseMs?: number;
  /** Key prefix (one per deployment sharing a Redis). Default `aiops:a2a:`. */
  prefix?: string;
  /** Bound of each Redis call. Default 2 s. */
  timeoutMs?: number;
  /** Heartbeat failures (Redis unreachable) are reported here; the next beat tries again. */
  onHeartbeatError?: (err: unknown) => void;
}

/** What is stored per task: the task, and the replica running it while it runs. */
interface Stored {
  task: Task;
  owner?: string;
}

const RUNNING = new Set<TaskState>([TaskState.TASK_STATE_SUBMITTED, TaskState.TASK_STATE_WORKING]);
const isRunning = (task: Task) => task.status?.state !== undefined && RUNNING.has(task.status.state);

const NO_SIGNAL = (): AbortSignal => new AbortController().signal;

/** A Redis call under a timeout, failing as a DependencyError('tasks') whose message keeps no address. */
export function tasksCall<T>(what: string, timeoutMs: number, work: () => Promise<T>): Promise<T> {
  return callDependency(
    {
      dependency: 'tasks',
      what,
      signal: NO_SIGNAL(),
      timeoutMs,
      translate: (err) =>
        new DependencyError(
          'tasks',
          `${what} failed: ${withoutAddresses(err instanceof Error ? err.message : String(err))}`,
          {
            cause: err,
          },
        ),
    },
    work,
  );
}

// Drops a member (`<scope>\n<id>`) everywhere: the order sets, its task key, its caller's index.
const DROP = `
local function drop(p, member)
  redis.call('ZREM', p .. 'order:done', member)
  redis.call('ZREM', p .. 'order:run', member)
  redis.call('DEL', p .. 't:' .. member)
  local nl = string.find(member, '\\n', 1, true)
  redis.call('ZREM', p .. 'idx:' .. string.sub(member, 1, nl - 1), string.sub(member, nl + 1))
end
`;

// Saves a task unless the stored one is finished, then applies the bounds. Order is update order (a sequence, so
// saves in the same millisecond keep theirs); a task expires by its key's TTL, and since every key lives maxAgeMs
// from its last update, expired tasks are always the oldest members: they are dropped first, then the oldest
// finished ones, then the oldest running ones, until at most maxTasks remain.
// ARGV: prefix, member, id, json, finished (0/1), maxAgeMs, maxTasks. Returns 1 when saved, 0 when final.
const SAVE = `${DROP}
local p, member, id, json = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local finished, maxAge, maxTasks = ARGV[5] == '1', tonumber(ARGV[6]), tonumber(ARGV[7])
local done, run = p .. 'order:done', p .. 'order:run'
local key = p .. 't:' .. member
for _, set in ipairs({done, run}) do
  while true do
    local oldest = redis.call('ZRANGE', set, 0, 0)[1]
    if not oldest or redis.call('EXISTS', p .. 't:' .. oldest) == 1 then break end
    drop(p, oldest)
  end
end
if redis.call('ZSCORE', done, member) and redis.call('EXISTS', key) == 1 then return 0 end
local seq = redis.call('INCR', p .. 'seq')
redis.call('SET', key, json, 'PX', maxAge)
if finished then
  redis.call('ZREM', run, member); redis.call('ZADD', done, seq, member)
else
  redis.call('ZREM', done, member); redis.call('ZADD', run, seq, member)
end
local index = p .. 'idx:' .. string.sub(member, 1, string.find(member, '\\n', 1, true) - 1)
redis.call('ZADD', index, seq, id)
redis.call('PEXPIRE', index, maxAge)
while redis.call('ZCARD', done) + redis.call('ZCARD', run) > maxTasks do
  local oldest = redis.call('ZRANGE', done, 0, 0)[1] or redis.call('ZRANGE', run, 0, 0)[1]
  drop(p, oldest)
end
return 1
`;

// Marks a running task FAILED when its owner's heartbeat is gone and nobody changed it meanwhile.
// ARGV: prefix, member, id, expected json, failed json, owner, maxAgeMs. Returns 1 when it did.
const FAIL_ORPHAN = `
local p, member, id = ARGV[1], ARGV[2], ARGV[3]
local key = p .. 't:' .. member
if redis.call('EXISTS', p .. 'replica:' .. ARGV[6]) == 1 then return 0 end
if redis.call('GET', key) ~= ARGV[4] then return 0 end
local seq = redis.call('INCR', p .. 'seq')
redis.call('SET', key, ARGV[5], 'PX', tonumber(ARGV[7]))
redis.call('ZREM', p .. 'order:run', member); redis.call('ZADD', p .. 'order:done', seq, member)
redis.call('ZADD', p .. 'idx:' .. string.sub(member, 1, string.find(member, '\\n', 1, true) - 1), seq, id)
return 1
`;

export class RedisTaskStore implements TaskStore {
  readonly maxTasks: number;
  readonly maxAgeMs: number;
  readonly leaseMs: number;
  /** This replica, as the owner of the tasks it runs. */
  readonly replicaId = randomUUID();
  private readonly prefix: string;
  private readonly timeoutMs: number;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisTaskStoreOptions = {},
  ) {
    this.maxTasks = Math.max(1, options.maxTasks ?? 1_000);
    this.maxAgeMs = Math.max(1, options.maxAgeMs ?? 60 * 60 * 1_000);
    this.leaseMs = Math.max(300, options.leaseMs ?? 30_000);
    this.prefix = options.prefix ?? 'aiops:a2a:';
    this.timeoutMs = options.timeoutMs ?? 2_000;
    this.beat();
    this.heartbeat = setInterval(() => this.beat(), Math.floor(this.leaseMs / 3));
    this.heartbeat.unref();
  }

  async save(task: Task, context: ServerCallContext): Promise<void> {
    const stored: Stored = isRunning(task) ? { task, owner: this.replicaId } : { task };
    await tasksCall('save an A2A task', this.timeoutMs, () =>
      this.redis.eval(
        SAVE,
        0,
        this.prefix,
        memberOf(context, task.id),
        task.id,
        JSON.stringify(stored),
        isFinished(task) ? '1' : '0',
        this.maxAgeMs,
        this.maxTasks,
      ),
    );
  }

  async load(taskId: string, context: ServerCallContext): Promise<Task | undefined> {
    const member = memberOf(context, taskId);
    const json = await tasksCall('read an A2A task', this.timeoutMs, () => this.redis.get(this.taskKey(member)));
    if (json === null) return undefined;
    return (await this.settled(member, json)).task;
  }

  async list(params: ListTasksRequest, context: ServerCallContext): Promise<ListTasksResponse> {
    const scope = scopeKey(context);
    const index = `${this.prefix}idx:${scope}`;
    const found = await tasksCall('list A2A tasks', this.timeoutMs, async () => {
      // Bounded: every task in the index is one of the store's at most maxTasks.
      const ids = await this.redis.zrange(index, 0, -1);
      const jsons = ids.length > 0 ? await this.redis.mget(...ids.map((id) => this.taskKey(`${scope}\n${id}`))) : [];
      // Expired or evicted since: gone from the index too.
      const gone = ids.filter((_, i) => jsons[i] === null);
      if (gone.length > 0) await this.redis.zrem(index, ...gone);
      return ids.flatMap((id, i) => (jsons[i] ? [{ member: `${scope}\n${id}`, json: jsons[i] }] : []));
    });
    // One liveness check per replica running some of these tasks (a handful), not one per task.
    const owners = new Set<string>();
    for (const { json } of found) {
      const { task, owner } = JSON.parse(json) as Stored;
      if (isRunning(task) && owner !== undefined && owner !== this.replicaId) owners.add(owner);
    }
    const alive = new Map<string, boolean>();
    for (const owner of owners) alive.set(owner, await this.isAlive(owner));
    const tasks: Task[] = [];
    for (const { member, json } of found) tasks.push((await this.settled(member, json, alive)).task);
    return pageOf(tasks, params);
  }

  /** Stops the heartbeat and withdraws it: tasks this replica still runs are failed by the next reader. */
  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    await this.redis.del(`${this.prefix}replica:${this.replicaId}`).catch(() => undefined);
  }

  private taskKey(member: string): string {
    return `${this.prefix}t:${member}`;
  }

  private beat(): void {
    this.redis.set(`${this.prefix}replica:${this.replicaId}`, '1', 'PX', this.leaseMs).catch((err: unknown) => {
      this.options.onHeartbeatError?.(err);
    });
  }

  private async isAlive(replica: string): Promise<boolean> {
    const found = await tasksCall('check the replica running an A2A task', this.timeoutMs, () =>
      this.redis.exists(`${this.prefix}replica:${replica}`),
    );
    return found === 1;
  }

  /** The stored task, or, when it runs on a replica whose heartbeat lapsed, the same task FAILED. */
  private async settled(member: string, json: string, known?: Map<string, boolean>): Promise<Stored> {
    const stored = JSON.parse(json) as Stored;
    const { task, owner } = stored;
    if (!isRunning(task) || owner === undefined || owner === this.replicaId) return stored;
    if (known?.get(owner) ?? (await this.isAlive(owner))) return stored;
    const failed: Stored = { task: orphanFailed(task, this.leaseMs) };
    const changed = await tasksCall('fail an A2A task whose replica stopped', this.timeoutMs, () =>
      this.redis.eval(FAIL_ORPHAN, 0, this.prefix, member, task.id, json, JSON.stringify(failed), owner, this.maxAgeMs),
    );
    if (changed === 1) return failed;
    // Someone changed it meanwhile (its owner, a cancel): the stored state is the answer.
    const now = await tasksCall('read an A2A task', this.timeoutMs, () => this.redis.get(this.taskKey(member)));
    return now === null ? stored : (JSON.parse(now) as Stored);
  }
}

function memberOf(context: ServerCallContext, taskId: string): string {
  return `${scopeKey(context)}\n${taskId}`;
}

/** The FAILED status of a task whose replica stopped: retryable, the caller sends the request again. */
function orphanFailed(task: Task, leaseMs: number): Task {
  const failure = toA2aFailure(
    new DependencyError(
      'tasks',
      `the replica running this task stopped (no heartbeat for ${Math.round(leaseMs / 1000)} s); send the request again`,
    ),
  );
  const metadata = { code: failure.code, retryable: failure.retryable };
  return {
    ...task,
    status: {
      state: TaskState.TASK_STATE_FAILED,
      message: {
        messageId: randomUUID(),
        taskId: task.id,
        contextId: task.contextId,
        role: Role.ROLE_AGENT,
        parts: [
          {
            content: { $case: 'text', value: failure.message },
            mediaType: 'text/plain',
            filename: '',
            metadata: undefined,
          },
        ],
        metadata,
        extensions: [],
        referenceTaskIds: [],
      },
      timestamp: new Date().toISOString(),
    },
  };
}

/** Asks the replica that runs a task to cancel it. */
export interface TaskCancels {
  /** Publishes a cancel request for the task in this caller scope (scopeKey). */
  request(taskId: string, scope: string): Promise<void>;
  /** Called for each request published by another replica. */
  onRequest(listener: (taskId: string, scope: string) => void): void;
  close(): Promise<void>;
}

/** A task's updates as they happen, from whichever replica runs it. */
export interface TaskUpdates {
  /** The replica running the task publishes each update (fire and forget: a lost one is caught up from the store). */
  publish(scope: string, taskId: string, update: StreamResponse): void;
  /** Starts listening to a task's updates; `next` waits at most `waitMs` (undefined: nothing came). */
  follow(scope: string, taskId: string): Promise<TaskFollower>;
}

export interface TaskFollower {
  next(waitMs: number): Promise<StreamResponse | undefined>;
  close(): void;
}

/**
 * What replicas tell each other over Redis pub/sub, on one dedicated subscriber connection: cancel requests (one
 * channel for the deployment) and the updates of running tasks (a channel per task, subscribed only while some
 * SubscribeToTask stream on this replica follows it). Updates travel in the A2A wire form (StreamResponse JSON).
 */
export class RedisTaskRelay implements TaskCancels, TaskUpdates {
  private readonly prefix: string;
  private readonly cancelChannel: string;
  private readonly subscriber: Redis;
  private readonly me = randomUUID();
  private readonly cancelListeners: Array<(taskId: string, scope: string) => void> = [];
  private readonly followers = new Map<string, Set<(update: StreamResponse) => void>>();
  private readonly subscribed: Promise<unknown>;
  private readonly timeoutMs: number;

  constructor(
    private readonly redis: Redis,
    options: { prefix?: string; timeoutMs?: number } = {},
  ) {
    this.prefix = options.prefix ?? 'aiops:a2a:';
    this.cancelChannel = `${this.prefix}cancel`;
    this.timeoutMs = options.timeoutMs ?? 2_000;
    // A subscriber waits for Redis as long as it takes (no per-command retry limit) and resubscribes on reconnect.
    this.subscriber = redis.duplicate({ maxRetriesPerRequest: null, connectionName: 'aiops-agent-a2a-relay' });
    // Connection errors surface as failed subscribes and reconnects; the client resubscribes by itself.
    this.subscriber.on('error', () => undefined);
    this.subscriber.on('message', (channel: string, message: string) => this.received(channel, message));
    this.subscribed = this.subscriber.subscribe(this.cancelChannel).catch(() => undefined);
  }

  /** Resolves once the cancel subscription is in place (tests, startup). */
  ready(): Promise<unknown> {
    return this.subscribed;
  }

  async request(taskId: string, scope: string): Promise<void> {
    await tasksCall('publish an A2A cancel request', this.timeoutMs, () =>
      this.redis.publish(this.cancelChannel, JSON.stringify({ taskId, scope, from: this.me })),
    );
  }

  onRequest(listener: (taskId: string, scope: string) => void): void {
    this.cancelListeners.push(listener);
  }

  publish(scope: string, taskId: string, update: StreamResponse): void {
    this.redis
      .publish(this.updatesChannel(scope, taskId), JSON.stringify(StreamResponse.toJSON(update)))
      .catch(() => undefined);
  }

  async follow(scope: string, taskId: string): Promise<TaskFollower> {
    const channel = this.updatesChannel(scope, taskId);
    const queue: StreamResponse[] = [];
    let wake: (() => void) | undefined;
    const listener = (update: StreamResponse) => {
      queue.push(update);
      wake?.();
    };
    let listeners = this.followers.get(channel);
    if (!listeners) {
      listeners = new Set();
      this.followers.set(channel, listeners);
    }
    listeners.add(listener);
    const close = () => {
      const set = this.followers.get(channel);
      set?.delete(listener);
      if (set?.size === 0) {
        this.followers.delete(channel);
        this.subscriber.unsubscribe(channel).catch(() => undefined);
      }
    };
    try {
      await tasksCall('follow an A2A task', this.timeoutMs, () => this.subscriber.subscribe(channel));
    } catch (err) {
      close();
      throw err;
    }
    return {
      next: async (waitMs) => {
        if (queue.length === 0)
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, waitMs);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
        wake = undefined;
        return queue.shift();
      },
      close,
    };
  }

  async close(): Promise<void> {
    await this.subscriber.quit().catch(() => this.subscriber.disconnect());
  }

  private updatesChannel(scope: string, taskId: string): string {
    return `${this.prefix}updates:${scope}\n${taskId}`;
  }

  private received(channel: string, message: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch {
      return;
    }
    if (channel === this.cancelChannel) {
      const { taskId, scope, from } = parsed as { taskId?: unknown; scope?: unknown; from?: unknown };
      if (from === this.me || typeof taskId !== 'string' || typeof scope !== 'string') return;
      for (const listener of this.cancelListeners) listener(taskId, scope);
      return;
    }
    const listeners = this.followers.get(channel);
    if (!listeners) return;
    let update: StreamResponse;
    try {
      update = StreamResponse.fromJSON(parsed);
    } catch {
      return;
    }
    for (const listener of listeners) listener(update);
  }
}
