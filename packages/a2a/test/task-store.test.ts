/**
 * Both task stores against one contract: in memory (the default) and in Redis (REDIS_URL), the latter against a
 * real redis-server on a loopback port (Debian's package; without it this suite fails and says how to install it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TaskState } from '@a2a-js/sdk';
import { Redis } from 'ioredis';
import { startRedisServer, type RedisServer } from '@aiops/testkit';
import { BoundedTaskStore, RedisTaskRelay, RedisTaskStore, scopeKey } from '@aiops/a2a';
import { callerContext, task, taskStoreContract } from './task-store-contract.js';

taskStoreContract('memory', async (bounds) => new BoundedTaskStore(bounds));

let server: RedisServer;
let redis: Redis;
const closers: Array<() => Promise<unknown>> = [];
let prefixes = 0;
beforeAll(async () => {
  server = await startRedisServer();
  redis = new Redis(server.url);
});
afterAll(async () => {
  for (const close of closers.reverse()) await close();
  redis?.disconnect();
  await server?.close();
});

function redisStore(
  bounds: { maxTasks?: number; maxAgeMs?: number; leaseMs?: number },
  client = redis,
  prefix = `t${++prefixes}:`,
) {
  const store = new RedisTaskStore(client, { ...bounds, prefix });
  closers.push(() => store.close());
  return store;
}

taskStoreContract('redis', async (bounds) => redisStore(bounds));

describe('redis task store across replicas', () => {
  it('is shared: a task saved by one replica is loaded and listed by another', async () => {
    const other = new Redis(server.url);
    closers.push(async () => other.disconnect());
    const prefix = `t${++prefixes}:`;
    const a = redisStore({}, redis, prefix);
    const b = redisStore({}, other, prefix);
    const alice = callerContext('alice');
    const t = task(TaskState.TASK_STATE_WORKING);
    await a.save(t, alice);
    expect(await b.load(t.id, alice)).toEqual(t);
    expect(
      (
        await b.list(
          {
            tenant: '',
            contextId: '',
            status: 0,
            pageSize: 10,
            pageToken: '',
            includeArtifacts: true,
            statusTimestampAfter: undefined,
            historyLength: undefined,
          },
          alice,
        )
      ).tasks,
    ).toEqual([t]);
  });

  it('fails a running task whose replica stopped its heartbeat (died): FAILED, retryable, read on another replica', async () => {
    const dying = new Redis(server.url);
    const prefix = `t${++prefixes}:`;
    const a = redisStore({ leaseMs: 600 }, dying, prefix);
    const b = redisStore({ leaseMs: 600 }, redis, prefix);
    const alice = callerContext('alice');
    const t = task(TaskState.TASK_STATE_WORKING);
    await a.save(t, alice);
    // Alive: the task is WORKING for everyone.
    expect((await b.load(t.id, alice))?.status?.state).toBe(TaskState.TASK_STATE_WORKING);
    // The pod dies: no more heartbeats, the lease lapses.
    dying.disconnect();
    await expect
      .poll(async () => (await b.load(t.id, alice))?.status?.state, { interval: 100 })
      .toBe(TaskState.TASK_STATE_FAILED);
    const failed = await b.load(t.id, alice);
    expect(failed?.status?.message?.metadata).toEqual({ code: 'dependency_unavailable', retryable: true });
    const text = failed?.status?.message?.parts[0]?.content;
    expect(text?.$case === 'text' ? text.value : '').toMatch(/replica running this task stopped/);
    // Final: the dead replica's late save does not bring it back.
    await b.save(t, alice);
    expect((await b.load(t.id, alice))?.status?.state).toBe(TaskState.TASK_STATE_FAILED);
  });

  it('a replica that stops gracefully withdraws its heartbeat: its running tasks fail at once, a task waiting for input never does', async () => {
    const prefix = `t${++prefixes}:`;
    const a = redisStore({ leaseMs: 300 }, redis, prefix);
    const b = redisStore({ leaseMs: 300 }, redis, prefix);
    const alice = callerContext('alice');
    const running = task(TaskState.TASK_STATE_WORKING);
    const waiting = task(TaskState.TASK_STATE_INPUT_REQUIRED);
    await a.save(running, alice);
    await a.save(waiting, alice);
    await a.close(); // heartbeat withdrawn at once
    const listed = await b.list(
      {
        tenant: '',
        contextId: '',
        status: TaskState.TASK_STATE_UNSPECIFIED,
        pageSize: 10,
        pageToken: '',
        includeArtifacts: false,
        statusTimestampAfter: undefined,
        historyLength: undefined,
      },
      alice,
    );
    expect(Object.fromEntries(listed.tasks.map((t) => [t.id, t.status?.state]))).toEqual({
      [running.id]: TaskState.TASK_STATE_FAILED,
      [waiting.id]: TaskState.TASK_STATE_INPUT_REQUIRED,
    });
    expect((await b.load(running.id, alice))?.status?.state).toBe(TaskState.TASK_STATE_FAILED);
    expect((await b.load(waiting.id, alice))?.status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
  });

  it('fails as a typed tasks DependencyError when Redis is unreachable', async () => {
    const gone = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 1, lazyConnect: true });
    gone.on('error', () => undefined);
    const store = new RedisTaskStore(gone, { timeoutMs: 500 });
    closers.push(async () => {
      await store.close();
      gone.disconnect();
    });
    const failure = await store.load('t', callerContext('alice')).catch((err: unknown) => err);
    expect(failure).toMatchObject({ code: 'dependency_unavailable', dependency: 'tasks' });
  });
});

describe('redis cancel requests', () => {
  it('reach the other replicas (not the sender) with the task and its caller scope', async () => {
    const prefix = `t${++prefixes}:`;
    const a = new RedisTaskRelay(redis, { prefix });
    const b = new RedisTaskRelay(redis, { prefix });
    closers.push(
      () => a.close(),
      () => b.close(),
    );
    await Promise.all([a.ready(), b.ready()]);
    const seenByA: string[] = [];
    a.onRequest((taskId) => seenByA.push(taskId));
    const seenByB = new Promise<[string, string]>((resolve) =>
      b.onRequest((taskId, scope) => resolve([taskId, scope])),
    );
    const scope = scopeKey(callerContext('alice'));
    await a.request('task-1', scope);
    expect(await seenByB).toEqual(['task-1', scope]);
    expect(seenByA).toEqual([]);
  });
});
