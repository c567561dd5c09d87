/**
 * The policy for a rejection nobody handled (docs/process-failures.md), against the built process: counted on
 * /metrics, logged with its stack, not ready at once, new analyses refused with a retryable 503, the analysis in
 * flight still answered, then exit 70 so Kubernetes restarts the pod.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pluginRequestBody, scenarioById } from '@aiops/testkit';
import { startKubeFixture, type KubeFixture } from '../support/fakes.js';
import { metricSum, postJson, startServiceProcess } from '../support/service-process.js';

const PRELOAD = pathToFileURL(fileURLToPath(new URL('../support/reject-on-signal.mjs', import.meta.url))).href;

let kube: KubeFixture;
beforeAll(async () => {
  kube = await startKubeFixture();
});
afterAll(async () => {
  await kube.close();
});

describe('an unhandled rejection', () => {
  it('is counted and logged with its stack; the process stops being ready, finishes its work and exits 70', async () => {
    const service = await startServiceProcess({
      ...kube.env,
      LLM_PROVIDER: 'none',
      KUBE_TIMEOUT_MS: '3000',
      NODE_OPTIONS: `--import=${PRELOAD}`,
    });
    kube.kube.faults.inject({ kind: 'hang', match: { path: /\/log$/ } });
    try {
      expect(await metricSum(service.url, 'aiops_agent_unhandled_failures_total')).toBe(0);
      const inFlight = postJson(`${service.url}/a2a/analyze`, pluginRequestBody(scenarioById('healthy')!));
      await kube.kube.waitForRequest((r) => r.path.endsWith('/log'));

      service.signal('SIGUSR2');
      const logged = await service.waitForLog('unhandled failure');
      expect(logged).toContain('test: a rejection nobody handles');
      const entry = JSON.parse(logged) as { kind?: string; err?: { stack?: string } };
      expect(entry.kind).toBe('unhandledRejection');
      expect(entry.err?.stack).toContain('reject-on-signal.mjs');
      expect(await metricSum(service.url, 'aiops_agent_unhandled_failures_total')).toBe(1);
      expect((await fetch(`${service.url}/readyz`)).status).toBe(503);

      const refused = await postJson(`${service.url}/a2a/analyze`, pluginRequestBody(scenarioById('go-panic')!));
      expect(refused.status).toBe(503);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(refused.json).not.toHaveProperty('promote');

      // The analysis in flight is answered (a 503 once the hung log read times out), not cut off.
      expect((await inFlight).status).toBe(503);
      expect(await service.exited).toBe(70);
    } finally {
      kube.kube.faults.clear();
      await service.stop();
    }
  });
});
