/**
 * Edge cases from the review, against the built service: 503 answers keep the addresses of the dependencies
 * behind the service to its log; the agent card never advertises a Host header nobody listed; a token file with a
 * nameless line is a configuration error at start-up.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pluginRequestBody, scenarioById } from '@aiops/testkit';
import { startKubeFixture, type KubeFixture } from '../support/fakes.js';
import { postJson, startServiceProcess, type ServiceProcess } from '../support/service-process.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aiops-edge-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('503 bodies do not reveal internal addresses', () => {
  let service: ServiceProcess;
  beforeAll(async () => {
    // An API server nobody answers on, at a name only the service's network knows.
    const kubeconfig = join(dir, 'unreachable-kubeconfig');
    await writeFile(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: c, cluster: {server: "https://127.0.0.1:9", insecure-skip-tls-verify: true}}]',
        'users: [{name: u, user: {token: t}}]',
        'contexts: [{name: x, context: {cluster: c, user: u}}]',
        'current-context: x',
        '',
      ].join('\n'),
    );
    service = await startServiceProcess({ KUBECONFIG: kubeconfig, LLM_PROVIDER: 'none', KUBE_TIMEOUT_MS: '5000' });
  });
  afterAll(async () => {
    await service.stop();
  });

  it('the metric-ai answer names the dependency, not its URL; the log keeps the URL', async () => {
    const res = await postJson(`${service.url}/a2a/analyze`, pluginRequestBody(scenarioById('healthy')!));
    expect(res.status).toBe(503);
    expect(res.json).toMatchObject({ error: { code: 'dependency_unavailable', dependency: 'kubernetes' } });
    const text = JSON.stringify(res.json);
    expect(text).toMatch(/kubernetes: list pods in \S+ failed/);
    expect(text).not.toContain('127.0.0.1');
    expect(text).not.toContain('https://');
    expect(text).not.toContain(':9');
    expect(await service.waitForLog('"msg":"no verdict"')).toContain('https://127.0.0.1:9/api/v1');
  });

  it('the A2A task failure says the same, without the URL', async () => {
    const res = await fetch(`${service.url}/a2a/jsonrpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'a2a-version': '1.0' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'SendMessage',
        params: {
          message: {
            messageId: 'm-503',
            role: 'ROLE_USER',
            parts: [{ data: { namespace: 'shop', rolloutName: 'checkout' } }],
          },
        },
      }),
    });
    const text = await res.text();
    expect(text).toContain('TASK_STATE_FAILED');
    expect(text).toContain('kubernetes: list pods');
    expect(text).not.toContain('127.0.0.1');
    expect(text).not.toContain('https://');
  });
});

describe('the agent card and the Host header', () => {
  let kube: KubeFixture;
  let service: ServiceProcess;
  beforeAll(async () => {
    kube = await startKubeFixture();
    service = await startServiceProcess({
      ...kube.env,
      LLM_PROVIDER: 'none',
      A2A_ALLOWED_HOSTS: 'aiops-agent.ops.svc:8080',
    });
  });
  afterAll(async () => {
    await service.stop();
    await kube.close();
  });

  const cardWithHost = (host: string) =>
    new Promise<string[]>((resolve, reject) => {
      const { port } = new URL(service.url);
      const req = request(
        { host: '127.0.0.1', port, path: '/.well-known/agent-card.json', headers: { host } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () =>
            resolve(
              (JSON.parse(text) as { supportedInterfaces: Array<{ url: string }> }).supportedInterfaces.map(
                (i) => i.url,
              ),
            ),
          );
        },
      );
      req.on('error', reject);
      req.end();
    });

  it('advertises a listed Host, and the arrival address for any other', async () => {
    expect(await cardWithHost('aiops-agent.ops.svc:8080')).toEqual([
      'http://aiops-agent.ops.svc:8080/a2a/jsonrpc',
      'http://aiops-agent.ops.svc:8080/a2a/v1',
    ]);
    const urls = await cardWithHost('attacker.example.net');
    expect(urls.join()).not.toContain('attacker');
    expect(urls[0]).toBe(`${service.url}/a2a/jsonrpc`);
  });
});

describe('token files', () => {
  it('a token line without a caller name stops the start with exit 2, naming the line', async () => {
    const tokens = join(dir, 'tokens');
    await writeFile(tokens, '# release automation\nstatic-token-1 release-bot\nstatic-token-2\n');
    await expect(
      startServiceProcess({ LLM_PROVIDER: 'none', A2A_AUTH: 'bearer', A2A_TOKENS_FILE: tokens }),
    ).rejects.toThrow(/exited with 2[\s\S]*A2A_TOKENS_FILE: line 3 has a token but no caller name/);
  });
});
