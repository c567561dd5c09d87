/**
 * Who may ask about what, against the built service: A2A callers (a static token and a service account) are
 * authorised per namespace, a request outside them is a 403 naming the namespace on both bindings, the plugin route
 * has its own namespace allow-list, and the verdict artifact carries only short examples. (The token audience is
 * covered against an audience-aware API server in packages/kube/test/token-review.test.ts.)
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scenarioById, pluginRequestBody } from '@aiops/testkit';
import { startKubeFixture, type KubeFixture } from '../support/fakes.js';
import { postJson, startServiceProcess, type ServiceProcess } from '../support/service-process.js';

const goPanic = scenarioById('go-panic')!;
const healthy = scenarioById('healthy')!;
const SA_TOKEN = 'sa-token-of-triage';
const SA_USER = 'system:serviceaccount:ops:triage';

let kube: KubeFixture;
let service: ServiceProcess;
let dir: string;
beforeAll(async () => {
  kube = await startKubeFixture();
  kube.kube.setToken(SA_TOKEN, { username: SA_USER });
  dir = await mkdtemp(join(tmpdir(), 'aiops-authz-'));
  await writeFile(join(dir, 'tokens'), 'tok-release release-bot\n');
  await writeFile(
    join(dir, 'namespaces.json'),
    JSON.stringify({ 'release-bot': [goPanic.namespace], [SA_USER]: [healthy.namespace] }),
  );
  service = await startServiceProcess({
    ...kube.env,
    LLM_PROVIDER: 'none',
    A2A_AUTH: 'bearer',
    A2A_TOKENS_FILE: join(dir, 'tokens'),
    A2A_SERVICE_ACCOUNT_AUTH: 'true',
    A2A_NAMESPACES_FILE: join(dir, 'namespaces.json'),
    ANALYZE_NAMESPACES: goPanic.namespace,
  });
});
afterAll(async () => {
  await service.stop();
  await kube.close();
  await rm(dir, { recursive: true, force: true });
});

const scenarioIn = (namespace: string) => [goPanic, healthy].find((s) => s.namespace === namespace)!;
const message = (namespace: string) => {
  const s = scenarioIn(namespace);
  const data = {
    namespace,
    rolloutName: s.rolloutName,
    stableSelector: s.stableSelector ?? 'role=stable',
    canarySelector: s.canarySelector ?? 'role=canary',
  };
  return { messageId: crypto.randomUUID(), role: 'ROLE_USER', parts: [{ data, mediaType: 'application/json' }] };
};

async function call(
  path: string,
  token: string,
  body: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${service.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'a2a-version': '1.0', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(120_000),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const jsonRpc = (token: string, namespace: string) =>
  call('/a2a/jsonrpc', token, {
    jsonrpc: '2.0',
    id: 7,
    method: 'SendMessage',
    params: { message: message(namespace) },
  });
const restSend = (token: string, namespace: string) =>
  call('/a2a/v1/message:send', token, { message: message(namespace) });

describe('A2A callers are authorised per namespace', () => {
  it('a static-token caller outside its namespaces gets 403 naming the namespace, on JSON-RPC and HTTP+JSON', async () => {
    const rpc = await jsonRpc('tok-release', healthy.namespace);
    expect(rpc.status).toBe(403);
    expect((rpc.json.error as { message: string }).message).toContain(`namespace "${healthy.namespace}"`);
    expect(rpc.json).toMatchObject({ id: 7, error: { data: { code: 'forbidden', namespace: healthy.namespace } } });
    const rest = await restSend('tok-release', healthy.namespace);
    expect(rest.status).toBe(403);
    expect(rest.json).toMatchObject({
      error: { code: 403, status: 'PERMISSION_DENIED', message: expect.stringContaining(healthy.namespace) as unknown },
    });
  });

  it('the same caller inside its namespaces gets its verdict, with short examples only', async () => {
    const { status, json } = await restSend('tok-release', goPanic.namespace);
    expect(status).toBe(200);
    const task = json.task as {
      status: { state: string };
      artifacts: Array<{ name: string; parts: Array<{ data?: Record<string, unknown> }> }>;
    };
    expect(task.status.state).toBe('TASK_STATE_COMPLETED');
    const verdict = task.artifacts.find((a) => a.name === 'verdict')?.parts[0]?.data as {
      evidence: { topSignatures: Array<{ examples: string[] }> };
    };
    const examples = verdict.evidence.topSignatures.flatMap((s) => s.examples);
    expect(examples.length).toBeGreaterThan(0);
    for (const s of verdict.evidence.topSignatures) expect(s.examples.length).toBeLessThanOrEqual(2);
    for (const e of examples) expect(e.length).toBeLessThanOrEqual(200);
  });

  it('a service account is authorised by its identity', async () => {
    expect((await restSend(SA_TOKEN, goPanic.namespace)).status).toBe(403);
    const allowed = await restSend(SA_TOKEN, healthy.namespace);
    expect(allowed.status).toBe(200);
  });
});

describe('/a2a/analyze stays open for the plugin, within ANALYZE_NAMESPACES', () => {
  it('answers inside the allow-list and 403 naming the namespace outside it', async () => {
    const inside = await postJson(`${service.url}/a2a/analyze`, pluginRequestBody(goPanic));
    expect(inside.status).toBe(200);
    const outside = await postJson(`${service.url}/a2a/analyze`, pluginRequestBody(healthy));
    expect(outside.status).toBe(403);
    expect(outside.json).toMatchObject({
      error: { code: 'forbidden', field: 'namespace', message: expect.stringContaining(healthy.namespace) as unknown },
    });
    expect(outside.json).not.toHaveProperty('promote');
  });
});
