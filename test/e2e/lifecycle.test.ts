/**
 * Start-up and shutdown of the built service: bad configuration is refused with every problem named, and SIGTERM
 * lets an in-flight analysis finish before a clean exit.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pluginRequestBody, scenarioById } from '@aiops/testkit';
import { startKubeFixture, type KubeFixture } from '../support/fakes.js';
import { postJson, startServiceProcess } from '../support/service-process.js';

const MAIN = fileURLToPath(new URL('../../apps/agent/dist/main.js', import.meta.url));

let kube: KubeFixture;
beforeAll(async () => {
  kube = await startKubeFixture();
});
afterAll(async () => {
  await kube.close();
});

describe('lifecycle', () => {
  it('refuses to start on bad configuration, naming every bad variable, with exit code 2', async () => {
    const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', PORT: 'eighty', LLM_PROVIDER: 'gemini', A2A_AUTH: 'sometimes' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('PORT');
    expect(stderr).toContain('LLM_PROVIDER');
    expect(stderr).toContain('A2A_AUTH');
  });

  it('refuses a KUBE_CONTEXT the kubeconfig does not have with exit code 2, like every configuration error', async () => {
    const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', ...kube.env, KUBE_CONTEXT: 'no-such-context', PORT: 'eighty' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('PORT');
    expect(stderr).toContain('KUBE_CONTEXT: no context named "no-such-context"');
  });

  it('on SIGTERM, finishes the analysis in flight, then exits 0', async () => {
    const service = await startServiceProcess({ ...kube.env, LLM_PROVIDER: 'none', KUBE_TIMEOUT_MS: '1500' });
    kube.kube.setFault({ pathPattern: /\/log$/ }, { hang: true });
    try {
      const inFlight = postJson(`${service.url}/a2a/analyze`, pluginRequestBody(scenarioById('healthy')!));
      await kube.kube.waitForRequest((r) => r.path.endsWith('/log'));
      const exited = service.stop();
      // The analysis is waiting on a hung log read when SIGTERM arrives; it must still be answered (here a 503 when
      // the read times out), not cut off.
      const answer = await inFlight.catch(() => undefined);
      expect(answer?.status).toBe(503);
      expect(await exited).toBe(0);
    } finally {
      kube.kube.setFault({ pathPattern: /\/log$/ }, undefined);
    }
  });
});
