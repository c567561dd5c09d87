/**
 * Conformance checks modelled on the A2A TCK's mandatory list, one `it` per check, against the raw wire.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentCard } from '@a2a-js/sdk';
import { post, sampleOutcome, startServer, type TestServer } from './helpers.js';

let server: TestServer;
let heartbeatServer: TestServer;
const PUBLIC_URL = 'https://aiops.example.com';
let publicCardServer: TestServer;

beforeAll(async () => {
  server = await startServer();
  server.fake.autoComplete = sampleOutcome();
  heartbeatServer = await startServer({ heartbeatMs: 5 });
  publicCardServer = await startServer({
    card: { name: 'aiops-agent', description: 'canary verdicts', version: '1.2.3', publicUrl: PUBLIC_URL },
  });
});
afterAll(async () => {
  await Promise.all([server.close(), heartbeatServer.close(), publicCardServer.close()]);
});

const TASK_STATES = [
  'TASK_STATE_SUBMITTED',
  'TASK_STATE_WORKING',
  'TASK_STATE_COMPLETED',
  'TASK_STATE_FAILED',
  'TASK_STATE_CANCELED',
  'TASK_STATE_INPUT_REQUIRED',
  'TASK_STATE_REJECTED',
  'TASK_STATE_AUTH_REQUIRED',
];

const rpc = (method: string, params: unknown, id: number | string = 1) =>
  post(`${server.baseUrl}/a2a/jsonrpc`, JSON.stringify({ jsonrpc: '2.0', id, method, params }));

const sendParams = (
  messageId: string,
  data: Record<string, unknown> = { namespace: 'shop', rolloutName: 'checkout' },
) => ({
  message: { messageId, role: 'ROLE_USER', parts: [{ data, mediaType: 'application/json' }] },
});

async function card(base = server.baseUrl): Promise<Record<string, unknown>> {
  const res = await fetch(`${base}/.well-known/agent-card.json`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return (await res.json()) as Record<string, unknown>;
}

/** Reads an SSE response to its end: data events, comment lines and the raw text. */
async function readSse(res: Response): Promise<{ events: unknown[]; comments: string[]; raw: string }> {
  const raw = await res.text();
  const events: unknown[] = [];
  const comments: string[] = [];
  for (const block of raw.split('\n\n')) {
    for (const line of block.split('\n')) {
      if (line.startsWith('data: ')) events.push(JSON.parse(line.slice(6)));
      else if (line.startsWith(':')) comments.push(line);
    }
  }
  return { events, comments, raw };
}

describe('A2A v1.0 conformance (TCK mandatory checks)', () => {
  it('agent card: required fields are present', async () => {
    const c = await card();
    for (const field of [
      'name',
      'description',
      'version',
      'supportedInterfaces',
      'capabilities',
      'defaultInputModes',
      'defaultOutputModes',
      'skills',
    ]) {
      expect(c, field).toHaveProperty(field);
    }
    const skills = c.skills as Array<Record<string, unknown>>;
    expect(skills.map((s) => s.id)).toEqual(['canary-analysis', 'workload-diagnosis']);
    for (const skill of skills) {
      expect(skill.name).toBeTypeOf('string');
      expect(skill.description).toBeTypeOf('string');
      expect((skill.examples as unknown[]).length).toBeGreaterThan(0);
      expect(skill.tags).toBeInstanceOf(Array);
    }
    expect(c.defaultInputModes).toEqual(['application/json', 'text/plain']);
    expect(c.defaultOutputModes).toEqual(['application/json', 'text/plain']);
  });

  it('agent card: ProtoJSON shape round-trips through AgentCard.fromJSON', async () => {
    const c = await card();
    expect(AgentCard.toJSON(AgentCard.fromJSON(c))).toEqual(c);
    // v1.0 shape: no v0.3 top-level url/protocolVersion, camelCase keys.
    expect(c).not.toHaveProperty('url');
    expect(c).not.toHaveProperty('protocolVersion');
    expect(Object.keys(c).every((k) => !k.includes('_'))).toBe(true);
  });

  it('agent card: capabilities tell the truth (streaming only, no push notifications, no extended card, no security when auth is off)', async () => {
    const c = await card();
    expect(c.capabilities).toEqual({ streaming: true, pushNotifications: false, extendedAgentCard: false });
    expect(c).not.toHaveProperty('securitySchemes');
    expect(c).not.toHaveProperty('securityRequirements');
  });

  it('agent card: supportedInterfaces lists JSON-RPC first, then HTTP+JSON, at the public URL', async () => {
    const c = await card(publicCardServer.baseUrl);
    expect(c.supportedInterfaces).toEqual([
      { url: `${PUBLIC_URL}/a2a/jsonrpc`, protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
      { url: `${PUBLIC_URL}/a2a/v1`, protocolBinding: 'HTTP+JSON', protocolVersion: '1.0' },
    ]);
    expect(c.version).toBe('1.2.3');
  });

  it('supportedInterfaces are reachable', async () => {
    const c = await card();
    const [jsonrpc, rest] = c.supportedInterfaces as Array<{ url: string }>;
    const rpcRes = await post(
      jsonrpc?.url ?? '',
      JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ListTasks', params: {} }),
    );
    expect(rpcRes.status).toBe(200);
    expect(rpcRes.json).toMatchObject({ jsonrpc: '2.0', id: 1, result: { tasks: expect.any(Array) as unknown } });
    const restRes = await fetch(`${rest?.url ?? ''}/tasks`, { headers: { 'a2a-version': '1.0' } });
    expect(restRes.status).toBe(200);
  });

  it('protocolVersion: every interface declares 1.0 and requests must carry A2A-Version: 1.0', async () => {
    const c = await card();
    expect((c.supportedInterfaces as Array<{ protocolVersion: string }>).map((i) => i.protocolVersion)).toEqual([
      '1.0',
      '1.0',
    ]);
    const refused = await post(
      `${server.baseUrl}/a2a/jsonrpc`,
      JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'ListTasks', params: {} }),
      { 'a2a-version': '0.3' },
    );
    expect(refused.json).toMatchObject({ id: 9, error: { code: -32009 } });
  });

  it('SendMessage returns a Task or a Message', async () => {
    const res = await rpc('SendMessage', sendParams('m-send-1'));
    const result = (res.json as { result: Record<string, unknown> }).result;
    expect(Object.keys(result).filter((k) => k === 'task' || k === 'message')).toHaveLength(1);
    expect(result.task).toMatchObject({
      id: expect.any(String) as unknown,
      contextId: expect.any(String) as unknown,
      status: { state: 'TASK_STATE_COMPLETED' },
    });
  });

  it('task states use the v1.0 enum names', async () => {
    const res = await rpc('SendMessage', sendParams('m-states-1'));
    const task = (res.json as { result: { task: { id: string; status: { state: string } } } }).result.task;
    expect(TASK_STATES).toContain(task.status.state);
    const asked = await rpc('SendMessage', {
      message: { messageId: 'm-states-2', role: 'ROLE_USER', parts: [{ text: 'is rollout checkout healthy?' }] },
    });
    expect((asked.json as { result: { task: { status: { state: string } } } }).result.task.status.state).toBe(
      'TASK_STATE_INPUT_REQUIRED',
    );
    const history = (res.json as { result: { task: { history: Array<{ role: string }> } } }).result.task.history;
    expect(history.every((m) => m.role === 'ROLE_USER' || m.role === 'ROLE_AGENT')).toBe(true);
  });

  it('GetTask honours historyLength', async () => {
    const sent = await rpc('SendMessage', sendParams('m-history-1'));
    const id = (sent.json as { result: { task: { id: string } } }).result.task.id;
    const all = await rpc('GetTask', { id });
    expect((all.json as { result: { history: unknown[] } }).result.history.length).toBeGreaterThanOrEqual(1);
    const one = await rpc('GetTask', { id, historyLength: 1 });
    expect((one.json as { result: { history: unknown[] } }).result.history).toHaveLength(1);
    const none = await rpc('GetTask', { id, historyLength: 0 });
    expect((none.json as { result: Record<string, unknown> }).result).not.toHaveProperty('history');
  });

  it('CancelTask of a terminal task → TaskNotCancelable (-32002)', async () => {
    const sent = await rpc('SendMessage', sendParams('m-cancel-1'));
    const id = (sent.json as { result: { task: { id: string } } }).result.task.id;
    const res = await rpc('CancelTask', { id });
    expect(res.json).toMatchObject({ error: { code: -32002 } });
  });

  it('unknown method → -32601', async () => {
    const res = await rpc('tasks/teleport', {});
    expect(res.json).toMatchObject({ jsonrpc: '2.0', id: 1, error: { code: -32601 } });
  });

  it('invalid params → -32602', async () => {
    expect((await rpc('GetTask', { id: '' })).json).toMatchObject({ error: { code: -32602 } });
    expect((await rpc('SendMessage', {})).json).toMatchObject({ error: { code: -32602 } });
    expect((await rpc('GetTask', 'not-an-object')).json).toMatchObject({ error: { code: -32602 } });
  });

  it('SSE: streaming answers text/event-stream with data-framed JSON-RPC responses ending in a final status', async () => {
    const res = await fetch(`${server.baseUrl}/a2a/jsonrpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'a2a-version': '1.0', accept: 'text/event-stream' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 'stream-1',
        method: 'SendStreamingMessage',
        params: sendParams('m-sse-1'),
      }),
    });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const { events, raw } = await readSse(res);
    expect(raw.endsWith('\n\n')).toBe(true);
    expect(events.length).toBeGreaterThan(2);
    for (const event of events)
      expect(event).toMatchObject({ jsonrpc: '2.0', id: 'stream-1', result: expect.any(Object) as unknown });
    const results = events.map((e) => (e as { result: Record<string, unknown> }).result);
    expect(results[0]).toHaveProperty('task');
    expect(results.at(-1)).toMatchObject({ statusUpdate: { status: { state: 'TASK_STATE_COMPLETED' } } });
  });

  it('SSE: HTTP+JSON streaming frames StreamResponse objects', async () => {
    const res = await post(`${server.baseUrl}/a2a/v1/message:stream`, JSON.stringify(sendParams('m-sse-2')));
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = res.text
      .split('\n\n')
      .filter((b) => b.startsWith('data: '))
      .map((b) => JSON.parse(b.slice(6)) as Record<string, unknown>);
    for (const event of events)
      expect(
        Object.keys(event).filter((k) => ['task', 'message', 'statusUpdate', 'artifactUpdate'].includes(k)),
      ).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ statusUpdate: { status: { state: 'TASK_STATE_COMPLETED' } } });
  });

  it('SSE: long streams carry ": ping" heartbeat comments', async () => {
    const res = await fetch(`${heartbeatServer.baseUrl}/a2a/jsonrpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'a2a-version': '1.0' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 'hb', method: 'SendStreamingMessage', params: sendParams('m-hb-1') }),
    });
    const reader = res.body?.getReader();
    const decoder = new TextDecoder();
    let seen = '';
    // Read until a heartbeat arrives, then let the analysis finish.
    while (reader && !seen.includes(': ping\n\n')) {
      const chunk = await reader.read();
      if (chunk.done) break;
      seen += decoder.decode(chunk.value as Uint8Array, { stream: true });
    }
    expect(seen).toContain(': ping\n\n');
    (await heartbeatServer.fake.nextCall()).complete();
    while (reader) {
      const chunk = await reader.read();
      if (chunk.done) break;
      seen += decoder.decode(chunk.value as Uint8Array, { stream: true });
    }
    expect(seen).toContain('TASK_STATE_COMPLETED');
  });
});
