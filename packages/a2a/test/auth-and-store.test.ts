import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TaskState, type Message, type Task } from '@a2a-js/sdk';
import { DependencyError, type TokenReviewer } from '@aiops/contracts';
import { clientFor, dataMessage, post, sampleOutcome, startServer, type TestServer } from './helpers.js';

const asTask = (result: Task | Message) => result as Task;

/** A TokenReviewer double: the real adapter is tested against a wire-level API server in packages/kube. */
const reviewer: TokenReviewer & { reviewed: number; down: boolean } = {
  reviewed: 0,
  down: false,
  async review(token) {
    this.reviewed++;
    if (this.down) throw new DependencyError('kubernetes', 'TokenReview failed with HTTP 500');
    return token === 'sa-jwt'
      ? { authenticated: true, user: 'system:serviceaccount:ops:rollouts' }
      : { authenticated: false };
  },
};

describe('bearer auth', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({
      auth: { tokens: { 'alice-token': 'alice', 'bob-token': 'bob' }, tokenReviewer: reviewer },
    });
    server.fake.autoComplete = sampleOutcome();
  });
  afterAll(async () => server.close());

  it('leaves the agent card public and declares the enforced bearer scheme', async () => {
    const res = await fetch(`${server.baseUrl}/.well-known/agent-card.json`);
    expect(res.status).toBe(200);
    const card = (await res.json()) as Record<string, unknown>;
    expect(card.securitySchemes).toEqual({
      bearer: { httpAuthSecurityScheme: expect.objectContaining({ scheme: 'Bearer' }) as unknown },
    });
    expect(card.securityRequirements).toEqual([{ schemes: { bearer: {} } }]);
  });

  it('refuses a call without a token: 401, WWW-Authenticate: Bearer, JSON-RPC error shape echoing the request id', async () => {
    const res = await post(
      `${server.baseUrl}/a2a/jsonrpc`,
      JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ListTasks', params: {} }),
    );
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(res.json).toMatchObject({ jsonrpc: '2.0', id: 1, error: { code: -32000 } });
    const named = await post(
      `${server.baseUrl}/a2a/jsonrpc`,
      JSON.stringify({ jsonrpc: '2.0', id: 'req-7', method: 'GetTask', params: { id: 'x' } }),
      { authorization: 'Bearer wrong' },
    );
    expect(named.status).toBe(401);
    expect(named.json).toMatchObject({ jsonrpc: '2.0', id: 'req-7', error: { code: -32000 } });
    // No readable id: null, as JSON-RPC 2.0 says.
    expect((await post(`${server.baseUrl}/a2a/jsonrpc`, '{"jsonrpc": "2.0", "id": 3,')).json).toMatchObject({
      id: null,
      error: { code: -32000 },
    });
  });

  it('refuses a wrong token on REST with the A2A error shape and never echoes it', async () => {
    const res = await fetch(`${server.baseUrl}/a2a/v1/tasks`, {
      headers: { 'a2a-version': '1.0', authorization: 'Bearer not-a-real-token' },
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('invalid_token');
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ error: { code: 401, status: 'UNAUTHENTICATED' } });
    expect(text).not.toContain('not-a-real-token');
  });

  it('the SDK client without a token is refused on both bindings', async () => {
    for (const binding of ['JSONRPC', 'HTTP+JSON'] as const) {
      const client = await clientFor(server.baseUrl, binding);
      await expect(client.sendMessage(dataMessage({ namespace: 'shop' }))).rejects.toThrow();
    }
  });

  it('accepts static tokens and scopes tasks to their user', async () => {
    for (const binding of ['JSONRPC', 'HTTP+JSON'] as const) {
      const alice = await clientFor(server.baseUrl, binding, 'alice-token');
      const bob = await clientFor(server.baseUrl, binding, 'bob-token');
      const task = asTask(await alice.sendMessage(dataMessage({ namespace: 'shop' })));
      expect(task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
      expect((await alice.getTask({ id: task.id, tenant: '' })).id).toBe(task.id);
      await expect(bob.getTask({ id: task.id, tenant: '' })).rejects.toMatchObject({ name: 'TaskNotFoundError' });
      await expect(bob.cancelTask({ id: task.id, tenant: '', metadata: {} })).rejects.toMatchObject({
        name: 'TaskNotFoundError',
      });
      const bobs = await bob.listTasks({
        tenant: '',
        contextId: '',
        status: TaskState.TASK_STATE_UNSPECIFIED,
        pageSize: 100,
        pageToken: '',
        includeArtifacts: false,
        statusTimestampAfter: undefined,
      });
      expect(bobs.tasks.map((t) => t.id)).not.toContain(task.id);
    }
  });

  it('accepts a Kubernetes service-account token verified by TokenReview', async () => {
    const before = reviewer.reviewed;
    const client = await clientFor(server.baseUrl, 'HTTP+JSON', 'sa-jwt');
    const task = asTask(await client.sendMessage(dataMessage({ namespace: 'shop' })));
    expect(task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(reviewer.reviewed).toBeGreaterThan(before);
  });

  it('answers 503 with Retry-After (not 401) when TokenReview itself fails', async () => {
    reviewer.down = true;
    try {
      const res = await fetch(`${server.baseUrl}/a2a/v1/tasks`, {
        headers: { 'a2a-version': '1.0', authorization: 'Bearer sa-jwt' },
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('10');
      const rpc = await post(
        `${server.baseUrl}/a2a/jsonrpc`,
        JSON.stringify({ jsonrpc: '2.0', id: 12, method: 'ListTasks', params: {} }),
        { authorization: 'Bearer sa-jwt' },
      );
      expect(rpc.status).toBe(503);
      expect(rpc.json).toMatchObject({
        id: 12,
        error: { code: -32603, data: { code: 'dependency_unavailable', retryable: true } },
      });
    } finally {
      reviewer.down = false;
    }
  });
});

describe('task store bounds', () => {
  let server: TestServer;
  let now = 1_000_000;
  beforeAll(async () => {
    server = await startServer({ tasks: { maxTasks: 2, maxAgeMs: 60_000, now: () => now } });
    server.fake.autoComplete = sampleOutcome();
  });
  afterAll(async () => server.close());

  it('evicts the oldest task beyond maxTasks', async () => {
    const client = await clientFor(server.baseUrl, 'JSONRPC');
    const first = asTask(await client.sendMessage(dataMessage({ namespace: 'shop' })));
    const second = asTask(await client.sendMessage(dataMessage({ namespace: 'shop' })));
    const third = asTask(await client.sendMessage(dataMessage({ namespace: 'shop' })));
    await expect(client.getTask({ id: first.id, tenant: '' })).rejects.toMatchObject({ name: 'TaskNotFoundError' });
    expect((await client.getTask({ id: second.id, tenant: '' })).id).toBe(second.id);
    expect((await client.getTask({ id: third.id, tenant: '' })).id).toBe(third.id);
  });

  it('expires tasks older than maxAgeMs', async () => {
    const client = await clientFor(server.baseUrl, 'HTTP+JSON');
    const task = asTask(await client.sendMessage(dataMessage({ namespace: 'shop' })));
    expect((await client.getTask({ id: task.id, tenant: '' })).id).toBe(task.id);
    now += 60_001;
    await expect(client.getTask({ id: task.id, tenant: '' })).rejects.toMatchObject({ name: 'TaskNotFoundError' });
  });
});

describe('plugin configuration', () => {
  it('refuses auth configured with no token and no reviewer instead of silently opening or locking the endpoint', async () => {
    await expect(startServer({ auth: { tokens: {} } })).rejects.toThrow(/no static tokens and no token reviewer/);
  });

  it('refuses a static token without a caller name (nameless tokens would share one caller and its tasks)', async () => {
    await expect(startServer({ auth: { tokens: { 'tok-1': 'alice', 'tok-2': '' } } })).rejects.toThrow(
      /every static token must name its caller/,
    );
  });
});
