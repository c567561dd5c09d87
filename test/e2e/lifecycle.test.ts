/**
 * Start-up and shutdown of the built service: bad configuration is refused with every problem named, and SIGTERM
 * lets an in-flight analysis finish before a clean exit.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pluginRequestBody, responders, scenarioById, startFakeGemini } from '@aiops/testkit';
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
    const child = spawn(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH ?? '', PORT: 'eighty', LLM_PROVIDER: 'gemini', A2A_AUTH: 'sometimes' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('PORT');
    expect(stderr).toContain('LLM_PROVIDER');
    expect(stderr).toContain('A2A_AUTH');
  });

  it('refuses a KUBE_CONTEXT the kubeconfig does not have with exit code 2, like every configuration error', async () => {
    const child = spawn(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH ?? '', ...kube.env, KUBE_CONTEXT: 'no-such-context', PORT: 'eighty' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('PORT');
    expect(stderr).toContain('KUBE_CONTEXT: no context named "no-such-context"');
  });

  it('on SIGTERM, finishes the analysis in flight with its verdict, then exits 0', async () => {
    // The model answers only when the test lets it, so SIGTERM arrives while the analysis is certainly in flight.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const gemini = await startFakeGemini({
      responder: async (req) => {
        await gate;
        return responders.heuristic(req);
      },
    });
    const service = await startServiceProcess({
      ...kube.env,
      GOOGLE_API_KEY: 'fake-key-for-tests',
      GEMINI_BASE_URL: gemini.url,
    });
    try {
      const scenario = scenarioById('go-panic')!;
      const inFlight = postJson(`${service.url}/a2a/analyze`, pluginRequestBody(scenario));
      await expect.poll(() => gemini.requests.length).toBe(1);
      const exited = service.stop();
      // The signal has been received and the process drains; only then may the model answer.
      await service.waitForLog('shutting down: finishing in-flight analyses');
      release();
      const answer = await inFlight;
      // The verdict itself, not a 503 given up at SIGTERM.
      expect(answer.status).toBe(200);
      expect(answer.json.promote).toBe(false);
      expect(answer.json.decidedBy).toBe('evidence');
      expect(await exited).toBe(0);
    } finally {
      release();
      await gemini.close();
    }
  });
});
