import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TaskState, type Message, type Task, type TaskStatusUpdateEvent } from '@a2a-js/sdk';
import { DependencyError, InvalidRequestError } from '@aiops/contracts';
import {
  clientFor,
  collect,
  dataMessage,
  post,
  sampleOutcome,
  startServer,
  textMessage,
  type Binding,
  type TestServer,
} from './helpers.js';

const partText = (message: Message | undefined) =>
  message?.parts.map((p) => (p.content?.$case === 'text' ? p.content.value : '')).join('') ?? '';
const asTask = (result: Task | Message): Task => {
  expect('status' in result).toBe(true);
  return result as Task;
};

describe.each<Binding>(['JSONRPC', 'HTTP+JSON'])('A2A over %s with the SDK client', (binding) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => server.close());

  it('send (blocking) answers a COMPLETED task with a verdict data artifact and a summary text artifact', async () => {
    server.fake.autoComplete = sampleOutcome();
    try {
      const client = await clientFor(server.baseUrl, binding);
      const task = asTask(
        await client.sendMessage(
          dataMessage({ namespace: 'shop', rolloutName: 'checkout', canarySelector: 'app=checkout,track=canary' }),
        ),
      );
      expect(task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
      const call = server.fake.calls.at(-1);
      expect(call?.request).toMatchObject({
        namespace: 'shop',
        rolloutName: 'checkout',
        canarySelector: 'app=checkout,track=canary',
        stableSelector: 'role=stable',
      });
      const verdict = task.artifacts.find((a) => a.name === 'verdict');
      const data = verdict?.parts[0]?.content;
      expect(data?.$case).toBe('data');
      expect(data?.value).toMatchObject({
        promote: false,
        confidence: 92,
        rootCause: 'nil pointer dereference in checkout handler',
        evidence: {
          findings: [{ id: 'log:f-panic-1', hard: true }],
          topSignatures: [{ id: 'sig-1', canaryOnly: true }],
          metrics: { source: 'kubernetes' },
        },
      });
      const summary = task.artifacts.find((a) => a.name === 'summary')?.parts[0]?.content;
      expect(summary?.$case).toBe('text');
      expect(String(summary?.value)).toContain(
        'DO NOT PROMOTE the canary of rollout shop/checkout (confidence 92/100)',
      );
    } finally {
      server.fake.autoComplete = undefined;
    }
  });

  it('stream shows the task, a WORKING update as each agent starts and finishes, the artifacts, then COMPLETED', async () => {
    const client = await clientFor(server.baseUrl, binding);
    const pending = collect(client.sendMessageStream(dataMessage({ namespace: 'shop', rolloutName: 'checkout' })));
    (await server.fake.nextCall()).complete();
    const events = await pending;
    expect(events[0]?.payload?.$case).toBe('task');
    const updates = events.flatMap((e) => (e.payload?.$case === 'statusUpdate' ? [e.payload.value] : []));
    const working = updates.filter((u) => u.status?.state === TaskState.TASK_STATE_WORKING);
    const progress = working
      .map((u) => `${String(u.metadata?.agent)}:${String(u.metadata?.phase)}`)
      .filter((s) => !s.startsWith('undefined'));
    expect(progress).toEqual([
      'log-fetcher:started',
      'metrics-analyst:started',
      'log-fetcher:finished',
      'metrics-analyst:finished',
      'diagnosis:started',
      'diagnosis:finished',
      'policy:started',
      'policy:finished',
      'pr-author:skipped',
    ]);
    expect(working.every((u) => partText(u.status?.message).length > 0)).toBe(true);
    const artifacts = events.flatMap((e) =>
      e.payload?.$case === 'artifactUpdate' ? [e.payload.value.artifact?.name] : [],
    );
    expect(artifacts).toEqual(['verdict', 'summary']);
    expect(events.at(-1)?.payload).toMatchObject({
      $case: 'statusUpdate',
      value: { status: { state: TaskState.TASK_STATE_COMPLETED } },
    });
  });

  it('get returns the stored task, with history trimmed by historyLength', async () => {
    server.fake.autoComplete = sampleOutcome();
    try {
      const client = await clientFor(server.baseUrl, binding);
      const sent = asTask(await client.sendMessage(dataMessage({ namespace: 'shop' })));
      const full = await client.getTask({ id: sent.id, tenant: '' });
      expect(full.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
      expect(full.artifacts.map((a) => a.name)).toEqual(['verdict', 'summary']);
      expect(full.history.length).toBeGreaterThanOrEqual(1);
      const trimmed = await client.getTask({ id: sent.id, tenant: '', historyLength: 0 });
      expect(trimmed.history).toEqual([]);
    } finally {
      server.fake.autoComplete = undefined;
    }
  });

  it('list returns the caller’s tasks, newest first', async () => {
    server.fake.autoComplete = sampleOutcome();
    try {
      const client = await clientFor(server.baseUrl, binding);
      const a = asTask(await client.sendMessage(dataMessage({ namespace: 'shop' })));
      const b = asTask(await client.sendMessage(dataMessage({ namespace: 'shop' })));
      const listed = await client.listTasks({
        tenant: '',
        contextId: '',
        status: TaskState.TASK_STATE_COMPLETED,
        pageSize: 100,
        pageToken: '',
        includeArtifacts: false,
        statusTimestampAfter: undefined,
      });
      const ids = listed.tasks.map((t) => t.id);
      expect(ids).toContain(a.id);
      expect(ids).toContain(b.id);
      expect(listed.tasks.every((t) => t.status?.state === TaskState.TASK_STATE_COMPLETED)).toBe(true);
    } finally {
      server.fake.autoComplete = undefined;
    }
  });

  it('cancel aborts the running analysis (its signal) and leaves the task CANCELED', async () => {
    const client = await clientFor(server.baseUrl, binding);
    const submitted = asTask(
      await client.sendMessage({
        ...dataMessage({ namespace: 'shop', rolloutName: 'cart' }),
        configuration: {
          acceptedOutputModes: [],
          historyLength: undefined,
          returnImmediately: true,
          taskPushNotificationConfig: undefined,
        },
      }),
    );
    const call = await server.fake.nextCall();
    expect(call.signal.aborted).toBe(false);
    const canceled = await client.cancelTask({ id: submitted.id, tenant: '', metadata: {} });
    expect(canceled.status?.state).toBe(TaskState.TASK_STATE_CANCELED);
    expect(call.signal.aborted).toBe(true);
    await vi.waitFor(
      async () =>
        expect((await client.getTask({ id: submitted.id, tenant: '' })).status?.state).toBe(
          TaskState.TASK_STATE_CANCELED,
        ),
      { timeout: 15_000, interval: 20 },
    );
  });

  it('resubscribe follows a running task to its end', async () => {
    const client = await clientFor(server.baseUrl, binding);
    const submitted = asTask(
      await client.sendMessage({
        ...dataMessage({ namespace: 'shop' }),
        configuration: {
          acceptedOutputModes: [],
          historyLength: undefined,
          returnImmediately: true,
          taskPushNotificationConfig: undefined,
        },
      }),
    );
    const call = await server.fake.nextCall();
    const stream = client.resubscribeTask({ id: submitted.id, tenant: '' });
    const first = await stream.next();
    expect(first.value?.payload).toMatchObject({ $case: 'task', value: { id: submitted.id } });
    call.complete();
    const rest = await collect(stream);
    expect(rest.at(-1)?.payload).toMatchObject({
      $case: 'statusUpdate',
      value: { status: { state: TaskState.TASK_STATE_COMPLETED } },
    });
  });

  it('a dependency failure ends the task FAILED with the mapped message, flagged retryable', async () => {
    const client = await clientFor(server.baseUrl, binding);
    const pending = collect(client.sendMessageStream(dataMessage({ namespace: 'shop' })));
    (await server.fake.nextCall()).fail(new DependencyError('kubernetes', 'the API server answered 500'));
    const last = (await pending).at(-1);
    expect(last?.payload?.$case).toBe('statusUpdate');
    const update = last?.payload?.value as TaskStatusUpdateEvent;
    expect(update.status?.state).toBe(TaskState.TASK_STATE_FAILED);
    expect(partText(update.status?.message)).toBe('kubernetes: the API server answered 500');
    expect(update.status?.message?.metadata).toEqual({ code: 'dependency_unavailable', retryable: true });
  });

  it('invalid input ends FAILED naming the field, not retryable, without calling analyze', async () => {
    const client = await clientFor(server.baseUrl, binding);
    const before = server.fake.calls.length;
    const task = asTask(await client.sendMessage(dataMessage({ namespace: 'shop', canarySelector: 'app in (' })));
    expect(task.status?.state).toBe(TaskState.TASK_STATE_FAILED);
    expect(partText(task.status?.message)).toContain('context.canarySelector');
    expect(task.status?.message?.metadata).toMatchObject({ code: 'invalid_request', retryable: false });
    expect(server.fake.calls.length).toBe(before);
    expect(new InvalidRequestError('x', 'y').code).toBe('invalid_request');
  });

  it('free text is parsed into the request; a missing namespace asks for it (INPUT_REQUIRED) and the reply completes it', async () => {
    server.fake.autoComplete = sampleOutcome();
    try {
      const client = await clientFor(server.baseUrl, binding);
      const direct = asTask(
        await client.sendMessage(
          textMessage('analyze rollout cart in namespace prod with canary selector app=cart,track=canary'),
        ),
      );
      expect(direct.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
      expect(server.fake.calls.at(-1)?.request).toMatchObject({
        namespace: 'prod',
        rolloutName: 'cart',
        canarySelector: 'app=cart,track=canary',
      });

      const asked = asTask(await client.sendMessage(textMessage('is the canary of rollout checkout healthy?')));
      expect(asked.status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
      expect(partText(asked.status?.message)).toContain('Missing field: namespace');
      const answered = asTask(
        await client.sendMessage(textMessage('namespace shop', { taskId: asked.id, contextId: asked.contextId })),
      );
      expect(answered.id).toBe(asked.id);
      expect(answered.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
      expect(server.fake.calls.at(-1)?.request).toMatchObject({ namespace: 'shop', rolloutName: 'checkout' });
    } finally {
      server.fake.autoComplete = undefined;
    }
  });

  it('an unknown task is TaskNotFound', async () => {
    const client = await clientFor(server.baseUrl, binding);
    await expect(client.getTask({ id: 'no-such-task', tenant: '' })).rejects.toMatchObject({
      name: 'TaskNotFoundError',
    });
    await expect(client.cancelTask({ id: 'no-such-task', tenant: '', metadata: {} })).rejects.toMatchObject({
      name: 'TaskNotFoundError',
    });
  });

  it('keeps draining the stream after the client disconnects, so the task still completes', async () => {
    const client = await clientFor(server.baseUrl, binding);
    const abort = new AbortController();
    const stream = client.sendMessageStream(dataMessage({ namespace: 'shop' }), { signal: abort.signal });
    const first = await stream.next();
    const taskId = first.value?.payload?.$case === 'task' ? first.value.payload.value.id : '';
    const call = await server.fake.nextCall();
    abort.abort();
    await stream.return(undefined).catch(() => undefined);
    call.complete();
    await vi.waitFor(
      async () =>
        expect((await client.getTask({ id: taskId, tenant: '' })).status?.state).toBe(TaskState.TASK_STATE_COMPLETED),
      { timeout: 15_000, interval: 20 },
    );
  });
});

describe('protocol errors on the raw wire', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => server.close());

  const rpc = (body: unknown, headers: Record<string, string> = {}) =>
    post(`${server.baseUrl}/a2a/jsonrpc`, typeof body === 'string' ? body : JSON.stringify(body), headers);

  it('JSON-RPC: unknown task → -32001', async () => {
    const res = await rpc({ jsonrpc: '2.0', id: 1, method: 'GetTask', params: { id: 'nope' } });
    expect(res.json).toMatchObject({ jsonrpc: '2.0', id: 1, error: { code: -32001 } });
  });

  it('REST: unknown task → 404', async () => {
    const res = await fetch(`${server.baseUrl}/a2a/v1/tasks/nope`, { headers: { 'a2a-version': '1.0' } });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 404, status: 'NOT_FOUND' } });
  });

  it('missing or unsupported A2A-Version → -32009 (JSON-RPC) and 400 VersionNotSupported (REST)', async () => {
    const missing = await post(
      `${server.baseUrl}/a2a/jsonrpc`,
      JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'GetTask', params: { id: 'x' } }),
      { 'a2a-version': '' },
    );
    expect(missing.json).toMatchObject({ id: 2, error: { code: -32009 } });
    const wrong = await rpc(
      { jsonrpc: '2.0', id: 3, method: 'GetTask', params: { id: 'x' } },
      { 'a2a-version': '9.9' },
    );
    expect(wrong.json).toMatchObject({ id: 3, error: { code: -32009 } });
    const restRes = await fetch(`${server.baseUrl}/a2a/v1/tasks/x`, { headers: { 'a2a-version': '0.3' } });
    expect(restRes.status).toBe(400);
    expect(await restRes.json()).toMatchObject({ error: { details: [{ reason: 'VERSION_NOT_SUPPORTED' }] } });
  });

  it('malformed JSON → -32700; a non-request → -32600', async () => {
    expect((await rpc('{"jsonrpc": "2.0", "id": 1, "method": ')).json).toMatchObject({
      id: null,
      error: { code: -32700 },
    });
    expect((await rpc({ jsonrpc: '1.0', id: 4, method: 'GetTask' })).json).toMatchObject({
      id: 4,
      error: { code: -32600 },
    });
    expect((await rpc([{ jsonrpc: '2.0', id: 5, method: 'GetTask' }])).json).toMatchObject({ error: { code: -32600 } });
  });

  it('a POST that is not JSON (text/plain, form, or no Content-Type: what a web page can send cross-site without a preflight) → 415 and -32005 / CONTENT_TYPE_NOT_SUPPORTED', async () => {
    const body = JSON.stringify({
      jsonrpc: '2.0',
      id: 6,
      method: 'SendMessage',
      params: { message: { messageId: 'm-csrf', role: 'ROLE_USER', parts: [{ data: { namespace: 'shop' } }] } },
    });
    const before = server.fake.calls.length;
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const res = await rpc(body, { 'content-type': contentType });
      expect(res.status, contentType).toBe(415);
      expect(res.json).toMatchObject({ error: { code: -32005 } });
      const restRes = await post(`${server.baseUrl}/a2a/v1/message:send`, '{}', { 'content-type': contentType });
      expect(restRes.status, contentType).toBe(415);
      expect(restRes.json).toMatchObject({ error: { code: 415, details: [{ reason: 'CONTENT_TYPE_NOT_SUPPORTED' }] } });
    }
    // A Blob body without a type: fetch sends no Content-Type at all.
    const untyped = await fetch(`${server.baseUrl}/a2a/jsonrpc`, {
      method: 'POST',
      headers: { 'a2a-version': '1.0' },
      body: new Blob([body]),
    });
    expect(untyped.status).toBe(415);
    expect(await untyped.json()).toMatchObject({
      error: { code: -32005, message: expect.stringContaining('No Content-Type') as unknown },
    });
    const untypedRest = await fetch(`${server.baseUrl}/a2a/v1/message:send`, {
      method: 'POST',
      headers: { 'a2a-version': '1.0' },
      body: new Blob(['{}']),
    });
    expect(untypedRest.status).toBe(415);
    expect(server.fake.calls.length).toBe(before);
  });

  it('deeply nested JSON (100k arrays) → 400 naming the problem on both bindings, and the server keeps serving', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const rpcBody = `{"jsonrpc":"2.0","id":9,"method":"SendMessage","params":{"message":{"messageId":"m-deep","role":"ROLE_USER","parts":[{"data":{"namespace":${deep}}}]}}}`;
    const res = await rpc(rpcBody);
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({
      id: null,
      error: { code: -32700, message: 'Parse error: body: JSON nested deeper than 64 levels' },
    });
    const restRes = await post(
      `${server.baseUrl}/a2a/v1/message:send`,
      `{"message":{"messageId":"m-deep","role":"ROLE_USER","parts":[{"data":{"namespace":${deep}}}]}}`,
    );
    expect(restRes.status).toBe(400);
    expect(restRes.json).toMatchObject({ error: { code: 400, message: 'body: JSON nested deeper than 64 levels' } });
    expect((await rpc({ jsonrpc: '2.0', id: 10, method: 'GetTask', params: { id: 'x' } })).json).toMatchObject({
      id: 10,
      error: { code: -32001 },
    });
  });

  it('JSON-RPC rejects a negative historyLength as REST does (-32602 / 400)', async () => {
    server.fake.autoComplete = sampleOutcome();
    try {
      const sent = await rpc({
        jsonrpc: '2.0',
        id: 11,
        method: 'SendMessage',
        params: { message: { messageId: 'm-hist', role: 'ROLE_USER', parts: [{ data: { namespace: 'shop' } }] } },
      });
      const id = (sent.json as { result: { task: { id: string } } }).result.task.id;
      for (const [method, params] of [
        ['GetTask', { id, historyLength: -1 }],
        ['ListTasks', { historyLength: -1 }],
        [
          'SendMessage',
          {
            message: { messageId: 'm-hist-2', role: 'ROLE_USER', parts: [{ data: { namespace: 'shop' } }] },
            configuration: { historyLength: -1 },
          },
        ],
      ] as const) {
        const res = await rpc({ jsonrpc: '2.0', id: 12, method, params });
        expect(res.json, method).toMatchObject({
          id: 12,
          error: {
            code: -32602,
            message: expect.stringContaining('historyLength must be a non-negative integer') as unknown,
          },
        });
      }
      for (const path of [`/tasks/${id}?historyLength=-1`, '/tasks?historyLength=-1']) {
        const restRes = await fetch(`${server.baseUrl}/a2a/v1${path}`, { headers: { 'a2a-version': '1.0' } });
        expect(restRes.status, path).toBe(400);
        expect(await restRes.json()).toMatchObject({
          error: { message: 'historyLength must be a non-negative integer' },
        });
      }
      expect(
        (await rpc({ jsonrpc: '2.0', id: 13, method: 'GetTask', params: { id, historyLength: 0 } })).json,
      ).toMatchObject({ id: 13, result: { id } });
    } finally {
      server.fake.autoComplete = undefined;
    }
  });

  it('statusTimestampAfter accepts only RFC 3339 timestamps ("-1" is an error) on both bindings', async () => {
    for (const bad of ['-1', '2025-01-01', '2025-01-01T00:00:00', 'yesterday', '2025-02-30T00:00:00Z']) {
      const res = await rpc({ jsonrpc: '2.0', id: 14, method: 'ListTasks', params: { statusTimestampAfter: bad } });
      expect(res.json, bad).toMatchObject({
        id: 14,
        error: {
          code: -32602,
          message: expect.stringContaining('statusTimestampAfter must be an RFC 3339 timestamp') as unknown,
        },
      });
      const restRes = await fetch(`${server.baseUrl}/a2a/v1/tasks?statusTimestampAfter=${encodeURIComponent(bad)}`, {
        headers: { 'a2a-version': '1.0' },
      });
      expect(restRes.status, bad).toBe(400);
    }
    for (const good of ['2025-01-01T00:00:00Z', '2025-01-01T00:00:00.250+02:00']) {
      expect(
        (await rpc({ jsonrpc: '2.0', id: 15, method: 'ListTasks', params: { statusTimestampAfter: good } })).json,
        good,
      ).toMatchObject({ id: 15, result: { tasks: expect.any(Array) as unknown } });
      const restRes = await fetch(`${server.baseUrl}/a2a/v1/tasks?statusTimestampAfter=${encodeURIComponent(good)}`, {
        headers: { 'a2a-version': '1.0' },
      });
      expect(restRes.status, good).toBe(200);
    }
  });

  it('accepts application/a2a+json bodies on both bindings', async () => {
    const res = await rpc(
      { jsonrpc: '2.0', id: 7, method: 'GetTask', params: { id: 'x' } },
      { 'content-type': 'application/a2a+json' },
    );
    expect(res.json).toMatchObject({ id: 7, error: { code: -32001 } });
    server.fake.autoComplete = sampleOutcome();
    try {
      const restRes = await post(
        `${server.baseUrl}/a2a/v1/message:send`,
        JSON.stringify({
          message: { messageId: 'm-a2a-json', role: 'ROLE_USER', parts: [{ data: { namespace: 'shop' } }] },
        }),
        { 'content-type': 'application/a2a+json' },
      );
      expect(restRes.status).toBe(200);
      expect(restRes.json).toMatchObject({ task: { status: { state: 'TASK_STATE_COMPLETED' } } });
    } finally {
      server.fake.autoComplete = undefined;
    }
  });

  it('push notification configs are not supported → -32003', async () => {
    const res = await rpc({
      jsonrpc: '2.0',
      id: 8,
      method: 'CreateTaskPushNotificationConfig',
      params: { taskId: 'x', url: 'https://example.com/hook' },
    });
    expect(res.json).toMatchObject({ error: { code: -32003 } });
    const restRes = await post(
      `${server.baseUrl}/a2a/v1/tasks/x/pushNotificationConfigs`,
      JSON.stringify({ url: 'https://example.com/hook' }),
    );
    expect(restRes.status).toBe(400);
    expect(restRes.json).toMatchObject({ error: { details: [{ reason: 'PUSH_NOTIFICATION_NOT_SUPPORTED' }] } });
  });
});
