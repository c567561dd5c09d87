/**
 * A2A v1.0 against the built service on the fake cluster, with the SDK's own client: the agent card is served, a
 * data-part request and a free-text request reach the same workflow as /a2a/analyze, and a streaming client sees
 * each agent start and finish.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SendMessageRequest, TaskState, type StreamResponse, type Task } from '@a2a-js/sdk';
import { ClientFactory } from '@a2a-js/sdk/client';
import { scenarioById } from '@aiops/testkit';
import { startKubeFixture, type KubeFixture } from '../support/fakes.js';
import { startServiceProcess, type ServiceProcess } from '../support/service-process.js';

let kube: KubeFixture;
let service: ServiceProcess;
beforeAll(async () => {
  kube = await startKubeFixture();
  service = await startServiceProcess({ ...kube.env, LLM_PROVIDER: 'none' });
});
afterAll(async () => {
  await service.stop();
  await kube.close();
});

const dataMessage = (data: Record<string, unknown>) =>
  SendMessageRequest.fromJSON({
    message: { messageId: crypto.randomUUID(), role: 'ROLE_USER', parts: [{ data, mediaType: 'application/json' }] },
  });
const textMessage = (text: string) =>
  SendMessageRequest.fromJSON({
    message: { messageId: crypto.randomUUID(), role: 'ROLE_USER', parts: [{ text, mediaType: 'text/plain' }] },
  });

function verdictOf(task: Task): Record<string, unknown> {
  const content = task.artifacts.find((a) => a.name === 'verdict')?.parts[0]?.content;
  expect(content?.$case).toBe('data');
  return content?.$case === 'data' ? (content.value as Record<string, unknown>) : {};
}

describe('A2A on the built service', () => {
  it('serves an agent card that lists both bindings and the skills', async () => {
    const card = (await (await fetch(`${service.url}/.well-known/agent-card.json`)).json()) as {
      supportedInterfaces: Array<{ protocolBinding: string }>;
      skills: Array<{ id: string }>;
    };
    expect(card.supportedInterfaces.map((i) => i.protocolBinding)).toEqual(['JSONRPC', 'HTTP+JSON']);
    expect(card.skills.map((s) => s.id)).toEqual(expect.arrayContaining(['canary-analysis', 'workload-diagnosis']));
  });

  it('a data part with the plugin context fields gets the same verdict as /a2a/analyze', async () => {
    const scenario = scenarioById('go-panic')!;
    const client = await new ClientFactory().createFromUrl(service.url);
    const result = await client.sendMessage(
      dataMessage({
        namespace: scenario.namespace,
        rolloutName: scenario.rolloutName,
        stableSelector: scenario.stableSelector ?? 'role=stable',
        canarySelector: scenario.canarySelector ?? 'role=canary',
      }),
    );
    expect('status' in result).toBe(true);
    const task = result as Task;
    expect(task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(verdictOf(task)).toMatchObject({ promote: false });
  });

  it('free text reaches the workflow, and a streaming client sees every agent work', async () => {
    const scenario = scenarioById('healthy')!;
    const client = await new ClientFactory().createFromUrl(service.url);
    const events: StreamResponse[] = [];
    for await (const event of client.sendMessageStream(
      textMessage(`is the canary of rollout ${scenario.rolloutName} in ${scenario.namespace} healthy?`),
    ))
      events.push(event);
    const phases = events.flatMap((e) =>
      e.payload?.$case === 'statusUpdate'
        ? [`${String(e.payload.value.metadata?.agent)}:${String(e.payload.value.metadata?.phase)}`]
        : [],
    );
    for (const step of [
      'log-fetcher:started',
      'log-fetcher:finished',
      'metrics-analyst:started',
      'metrics-analyst:finished',
      'diagnosis:skipped',
      'policy:finished',
    ]) {
      expect(phases).toContain(step);
    }
    const last = events.at(-1)?.payload;
    expect(last?.$case).toBe('statusUpdate');
    const artifact = events.flatMap((e) =>
      e.payload?.$case === 'artifactUpdate' && e.payload.value.artifact?.name === 'verdict'
        ? [e.payload.value.artifact]
        : [],
    )[0];
    const content = artifact?.parts[0]?.content;
    expect(content?.$case === 'data' ? (content.value as { promote?: boolean }).promote : undefined).toBe(true);
  });
});

describe('A2A bearer auth on the built service', () => {
  let secured: ServiceProcess;
  let tokensDir: string;
  beforeAll(async () => {
    tokensDir = await mkdtemp(join(tmpdir(), 'aiops-tokens-'));
    const tokensFile = join(tokensDir, 'tokens');
    await writeFile(tokensFile, 'static-token-1 release-bot\n');
    kube.kube.setToken('sa-token-1', { username: 'system:serviceaccount:ops:incident-bot' });
    secured = await startServiceProcess({
      ...kube.env,
      LLM_PROVIDER: 'none',
      A2A_AUTH: 'bearer',
      A2A_TOKENS_FILE: tokensFile,
      A2A_SERVICE_ACCOUNT_AUTH: 'true',
    });
  });
  afterAll(async () => {
    await secured.stop();
    await rm(tokensDir, { recursive: true, force: true });
  });

  const listTasks = (token?: string) =>
    fetch(`${secured.url}/a2a/v1/tasks`, {
      headers: { 'a2a-version': '1.0', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });

  it('refuses A2A calls without a valid token, with WWW-Authenticate', async () => {
    for (const token of [undefined, 'wrong-token']) {
      const res = await listTasks(token);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
  });

  it('accepts a static token and a Kubernetes service-account token (TokenReview)', async () => {
    expect((await listTasks('static-token-1')).status).toBe(200);
    expect((await listTasks('sa-token-1')).status).toBe(200);
  });

  it('declares the scheme in the agent card, which stays public', async () => {
    const res = await fetch(`${secured.url}/.well-known/agent-card.json`);
    expect(res.status).toBe(200);
    const card = (await res.json()) as { securitySchemes?: Record<string, unknown> };
    expect(Object.keys(card.securitySchemes ?? {})).not.toHaveLength(0);
  });

  it('keeps the metric-ai route open for the plugin, which sends no auth', async () => {
    const res = await fetch(`${secured.url}/a2a/analyze`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ context: { namespace: 'scn-healthy', rolloutName: 'checkout' } }),
    });
    expect(res.status).toBe(200);
  });
});
