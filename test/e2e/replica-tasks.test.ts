/**
 * A2A tasks across two replicas of the built service sharing a real redis-server (REDIS_URL), through the official
 * @a2a-js/sdk client: a task sent to one replica is read, listed, followed (SubscribeToTask) and cancelled on the
 * other; the cancel aborts the model call where the analysis runs; a replica that dies leaves no task WORKING forever; and Redis going away
 * during an A2A request is a typed dependency failure, never a crash and never a verdict.
 * Without redis-server this suite fails and says how to install it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SendMessageRequest, TaskState, type Message, type Task } from '@a2a-js/sdk';
import { ClientFactory, type Client } from '@a2a-js/sdk/client';
import {
  responders,
  scenarioById,
  startFakeGemini,
  startRedisServer,
  type FakeGemini,
  type RedisServer,
} from '@aiops/testkit';
import { startKubeFixture, type KubeFixture } from '../support/fakes.js';
import { startServiceProcess, type ServiceProcess } from '../support/service-process.js';

const panic = scenarioById('go-panic')!;
const request = {
  namespace: panic.namespace,
  rolloutName: panic.rolloutName,
  stableSelector: panic.stableSelector ?? 'role=stable',
  canarySelector: panic.canarySelector ?? 'role=canary',
};

function send(returnImmediately: boolean): SendMessageRequest {
  return SendMessageRequest.fromJSON({
    message: {
      messageId: crypto.randomUUID(),
      role: 'ROLE_USER',
      parts: [{ data: request, mediaType: 'application/json' }],
    },
    configuration: { returnImmediately },
  });
}

const asTask = (result: Task | Message) => result as Task;
const listAll = {
  tenant: '',
  contextId: '',
  status: TaskState.TASK_STATE_UNSPECIFIED,
  pageSize: 100,
  pageToken: '',
  includeArtifacts: false,
  statusTimestampAfter: undefined,
};

let redis: RedisServer;
let kube: KubeFixture;
let gemini: FakeGemini;
let a: ServiceProcess;
let b: ServiceProcess;
let onA: Client;
let onB: Client;
beforeAll(async () => {
  redis = await startRedisServer();
  kube = await startKubeFixture([panic]);
  gemini = await startFakeGemini({ responder: responders.heuristic });
  const env = {
    ...kube.env,
    GOOGLE_API_KEY: 'fake-key-for-tests',
    GEMINI_BASE_URL: gemini.url,
    REDIS_URL: redis.url,
    // A dead replica's tasks fail after 2 s without its heartbeat (30 s by default).
    A2A_TASK_LEASE_SECONDS: '2',
  };
  [a, b] = await Promise.all([startServiceProcess(env), startServiceProcess(env)]);
  // Each client talks to one replica: the agent card names the address its request arrived on.
  onA = await new ClientFactory().createFromUrl(a.url);
  onB = await new ClientFactory().createFromUrl(b.url);
});
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await gemini?.close();
  await kube?.close();
  await redis?.close();
});

describe('A2A tasks on two replicas sharing Redis', () => {
  it('a task answered on one replica is read on the other with its verdict', async () => {
    gemini.setResponder(responders.heuristic);
    const done = asTask(await onA.sendMessage(send(false)));
    expect(done.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    const read = await onB.getTask({ id: done.id, tenant: '' });
    expect(read.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    const verdict = read.artifacts.find((x) => x.name === 'verdict')?.parts[0]?.content;
    expect(verdict?.$case === 'data' ? (verdict.value as Record<string, unknown>).verdict : undefined).toBe('reject');
    expect((await onB.listTasks(listAll)).tasks.map((t) => t.id)).toContain(done.id);
  });

  it('SendMessage (non-blocking) on one replica, GetTask and CancelTask on the other: the model call is aborted where it runs, CANCELED on both', async () => {
    // The model never answers: the analysis on replica A waits in its model call until something aborts it.
    gemini.setResponder(() => ({ hang: true }));
    const sent = asTask(await onA.sendMessage(send(true)));
    await expect.poll(() => gemini.openRequests).toBe(1);
    expect((await onB.getTask({ id: sent.id, tenant: '' })).status?.state).toBe(TaskState.TASK_STATE_WORKING);

    const canceled = await onB.cancelTask({ id: sent.id, tenant: '', metadata: {} });
    expect(canceled.status?.state).toBe(TaskState.TASK_STATE_CANCELED);
    // The cancel reached replica A's run: its model call was aborted (the fake sees the connection go).
    await expect.poll(() => gemini.openRequests).toBe(0);
    await a.waitForLog('a2a task cancelled from another replica');
    for (const client of [onA, onB])
      expect((await client.getTask({ id: sent.id, tenant: '' })).status?.state).toBe(TaskState.TASK_STATE_CANCELED);
  });

  it('SubscribeToTask on the other replica follows the run to its verdict', async () => {
    // The model answers when the test says so: the stream on B is open while the analysis runs on A.
    let answer: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      answer = resolve;
    });
    gemini.setResponder(async (request) => {
      await gate;
      return responders.heuristic(request);
    });
    const sent = asTask(await onA.sendMessage(send(true)));
    await expect.poll(() => gemini.openRequests).toBe(1);
    const stream = onB.resubscribeTask({ id: sent.id, tenant: '' });
    expect((await stream.next()).value?.payload?.$case).toBe('task');
    const events: Array<{ kind?: string; state?: TaskState; artifact?: string }> = [];
    const followed = (async () => {
      for await (const event of stream) {
        const p = event.payload;
        events.push({
          kind: p?.$case,
          ...(p?.$case === 'statusUpdate' ? { state: p.value.status?.state } : {}),
          ...(p?.$case === 'artifactUpdate' ? { artifact: p.value.artifact?.name } : {}),
        });
      }
    })();
    answer();
    await followed;
    expect(events.filter((e) => e.artifact).map((e) => e.artifact)).toEqual(['verdict', 'summary']);
    expect(events.at(-1)).toEqual({ kind: 'statusUpdate', state: TaskState.TASK_STATE_COMPLETED });
    // Progress of the agents on A arrived on B as it happened.
    expect(events.filter((e) => e.state === TaskState.TASK_STATE_WORKING).length).toBeGreaterThan(0);
  });

  it('a replica that dies mid-task leaves it FAILED (retryable) for the other, never WORKING forever', async () => {
    gemini.setResponder(() => ({ hang: true }));
    const sent = asTask(await onA.sendMessage(send(true)));
    await expect.poll(() => gemini.openRequests).toBeGreaterThan(0);
    a.signal('SIGKILL');
    await a.exited;
    await expect
      .poll(async () => (await onB.getTask({ id: sent.id, tenant: '' })).status?.state, { timeout: 20_000 })
      .toBe(TaskState.TASK_STATE_FAILED);
    const failed = await onB.getTask({ id: sent.id, tenant: '' });
    expect(failed.status?.message?.metadata).toMatchObject({ code: 'dependency_unavailable', retryable: true });
  });

  it('Redis going away during A2A requests is a typed 503 dependency failure: no crash, no verdict', async () => {
    gemini.setResponder(responders.heuristic);
    const known = asTask(await onB.sendMessage(send(false)));
    await redis.close();

    const rpc = async (method: string, params: unknown) => {
      const res = await fetch(`${b.url}/a2a/jsonrpc`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'a2a-version': '1.0' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 7, method, params }),
        signal: AbortSignal.timeout(30_000),
      });
      return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.text() };
    };
    const typed = {
      jsonrpc: '2.0',
      id: 7,
      error: { code: -32603, data: { code: 'dependency_unavailable', retryable: true, dependency: 'tasks' } },
    };
    const get = await rpc('GetTask', { id: known.id });
    expect(get.status).toBe(503);
    expect(get.retryAfter).toBe('10');
    expect(JSON.parse(get.body)).toMatchObject(typed);
    expect(get.body).not.toContain(String(redis.port));

    const sent = await rpc('SendMessage', {
      message: { messageId: crypto.randomUUID(), role: 'ROLE_USER', parts: [{ data: request }] },
    });
    expect(sent.status).toBe(503);
    expect(JSON.parse(sent.body)).toMatchObject(typed);
    expect(sent.body).not.toMatch(/"verdict"|"promote"/);

    const rest = await fetch(`${b.url}/a2a/v1/tasks/${known.id}`, { headers: { 'a2a-version': '1.0' } });
    expect(rest.status).toBe(503);
    expect(await rest.json()).toMatchObject({ error: { code: 503, status: 'UNAVAILABLE' } });
    // The SDK client sees a failure, not a task.
    await expect(onB.getTask({ id: known.id, tenant: '' })).rejects.toThrow();

    expect(b.alive).toBe(true);
    expect((await fetch(`${b.url}/healthz`)).status).toBe(200);
  });
});
