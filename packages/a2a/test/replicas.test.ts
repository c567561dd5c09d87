/**
 * Two A2A servers (two replicas) sharing one Redis task store, through the official SDK client: a task sent to
 * one is read, listed and cancelled on the other, and the cancel aborts the run where it runs. A real
 * redis-server on a loopback port; without it this suite fails and says how to install it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TaskState, type Message, type Task } from '@a2a-js/sdk';
import { Redis } from 'ioredis';
import { startRedisServer, type RedisServer } from '@aiops/testkit';
import { RedisTaskRelay, RedisTaskStore, type TaskUpdates } from '@aiops/a2a';
import { clientFor, collect, dataMessage, sampleOutcome, startServer, type TestServer } from './helpers.js';

const asTask = (result: Task | Message) => result as Task;
const nonBlocking = {
  acceptedOutputModes: [],
  historyLength: undefined,
  returnImmediately: true,
  taskPushNotificationConfig: undefined,
};

let redis: RedisServer;
const replicas: TestServer[] = [];
const closers: Array<() => Promise<unknown>> = [];
beforeAll(async () => {
  redis = await startRedisServer();
  for (let i = 0; i < 2; i++) {
    // One connection per replica, as two pods would have.
    const client = new Redis(redis.url);
    const taskStore = new RedisTaskStore(client, { prefix: 'replicas:' });
    const relay = new RedisTaskRelay(client, { prefix: 'replicas:' });
    await relay.ready();
    closers.push(async () => {
      await relay.close();
      await taskStore.close();
      client.disconnect();
    });
    replicas.push(await startServer({ taskStore, replicas: { cancels: relay, updates: relay } }));
  }
  // A third replica whose updates never arrive (a lost publish): its streams must still end, from the store.
  const client = new Redis(redis.url);
  const taskStore = new RedisTaskStore(client, { prefix: 'replicas:' });
  const relay = new RedisTaskRelay(client, { prefix: 'replicas:' });
  const silent: TaskUpdates = {
    publish: () => undefined,
    follow: async () => ({ next: async () => undefined, close: () => undefined }),
  };
  closers.push(async () => {
    await relay.close();
    await taskStore.close();
    client.disconnect();
  });
  replicas.push(await startServer({ taskStore, replicas: { cancels: relay, updates: silent, checkMs: 50 } }));
});
afterAll(async () => {
  for (const r of replicas) await r.close();
  for (const close of closers) await close();
  await redis?.close();
});

describe.each(['JSONRPC', 'HTTP+JSON'] as const)('two replicas sharing Redis (%s)', (binding) => {
  it('a task sent to one replica is read and listed on the other, running and then finished', async () => {
    const [a, b] = [replicas[0]!, replicas[1]!];
    const onA = await clientFor(a.baseUrl, binding);
    const onB = await clientFor(b.baseUrl, binding);
    const sent = asTask(await onA.sendMessage({ ...dataMessage({ namespace: 'shop' }), configuration: nonBlocking }));
    const call = await a.fake.nextCall();
    // The run's WORKING status reaches the store just after the analysis starts.
    await expect
      .poll(async () => (await onB.getTask({ id: sent.id, tenant: '' })).status?.state)
      .toBe(TaskState.TASK_STATE_WORKING);
    call.complete(sampleOutcome());
    await expect
      .poll(async () => (await onB.getTask({ id: sent.id, tenant: '' })).status?.state)
      .toBe(TaskState.TASK_STATE_COMPLETED);
    const done = await onB.getTask({ id: sent.id, tenant: '' });
    expect(done.artifacts.map((x) => x.name)).toEqual(['verdict', 'summary']);
    const listed = await onB.listTasks({
      tenant: '',
      contextId: '',
      status: TaskState.TASK_STATE_COMPLETED,
      pageSize: 100,
      pageToken: '',
      includeArtifacts: false,
      statusTimestampAfter: undefined,
    });
    expect(listed.tasks.map((t) => t.id)).toContain(sent.id);
  });

  it('CancelTask on the other replica aborts the run where it runs; the task is CANCELED on both', async () => {
    const [a, b] = [replicas[0]!, replicas[1]!];
    const onA = await clientFor(a.baseUrl, binding);
    const onB = await clientFor(b.baseUrl, binding);
    const sent = asTask(await onA.sendMessage({ ...dataMessage({ namespace: 'shop' }), configuration: nonBlocking }));
    const call = await a.fake.nextCall();
    const canceled = await onB.cancelTask({ id: sent.id, tenant: '', metadata: {} });
    expect(canceled.status?.state).toBe(TaskState.TASK_STATE_CANCELED);
    // The abort reaches the analysis' signal on replica A (Kubernetes, Prometheus and the model calls hang off it).
    await expect.poll(() => call.signal.aborted).toBe(true);
    for (const client of [onA, onB])
      expect((await client.getTask({ id: sent.id, tenant: '' })).status?.state).toBe(TaskState.TASK_STATE_CANCELED);
    // Cancelling again is idempotent; a finished task elsewhere is not cancelable.
    expect((await onB.cancelTask({ id: sent.id, tenant: '', metadata: {} })).status?.state).toBe(
      TaskState.TASK_STATE_CANCELED,
    );
  });

  it('a task finished on one replica is not cancelable on the other', async () => {
    const [a, b] = [replicas[0]!, replicas[1]!];
    a.fake.autoComplete = sampleOutcome();
    try {
      const onA = await clientFor(a.baseUrl, binding);
      const onB = await clientFor(b.baseUrl, binding);
      const done = asTask(await onA.sendMessage(dataMessage({ namespace: 'shop' })));
      expect(done.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
      await expect(onB.cancelTask({ id: done.id, tenant: '', metadata: {} })).rejects.toMatchObject({
        name: 'TaskNotCancelableError',
      });
    } finally {
      a.fake.autoComplete = undefined;
    }
  });

  it('SubscribeToTask on the other replica follows the task to its end, artifacts included', async () => {
    const [a, b] = [replicas[0]!, replicas[1]!];
    const onA = await clientFor(a.baseUrl, binding);
    const onB = await clientFor(b.baseUrl, binding);
    const sent = asTask(await onA.sendMessage({ ...dataMessage({ namespace: 'shop' }), configuration: nonBlocking }));
    const call = await a.fake.nextCall();
    const stream = onB.resubscribeTask({ id: sent.id, tenant: '' });
    const first = await stream.next();
    expect(first.value?.payload?.$case).toBe('task');
    const rest = collect(stream);
    call.complete(sampleOutcome());
    const events = await rest;
    const last = events.at(-1)?.payload;
    expect(last?.$case === 'statusUpdate' ? last.value.status?.state : undefined).toBe(TaskState.TASK_STATE_COMPLETED);
    const artifacts = events.flatMap((e) =>
      e.payload?.$case === 'artifactUpdate' ? [e.payload.value.artifact?.name] : [],
    );
    expect(artifacts).toEqual(['verdict', 'summary']);
  });

  it('a stream on a replica that misses the updates still ends with the final state, read from the store', async () => {
    const [a, c] = [replicas[0]!, replicas[2]!];
    const onA = await clientFor(a.baseUrl, binding);
    const onC = await clientFor(c.baseUrl, binding);
    const sent = asTask(await onA.sendMessage({ ...dataMessage({ namespace: 'shop' }), configuration: nonBlocking }));
    const call = await a.fake.nextCall();
    const stream = onC.resubscribeTask({ id: sent.id, tenant: '' });
    expect((await stream.next()).value?.payload?.$case).toBe('task');
    const rest = collect(stream);
    call.complete(sampleOutcome());
    const last = (await rest).at(-1)?.payload;
    expect(last?.$case === 'statusUpdate' ? last.value.status?.state : undefined).toBe(TaskState.TASK_STATE_COMPLETED);
  });
});
