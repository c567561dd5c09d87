/**
 * Flagger's webhooks against the built service on the fake API server, which serves the Canary (flagger.app/v1beta1)
 * and its Deployments `<target>` (canary pods) and `<target>-primary` (stable pods). Flagger POSTs
 * {name, namespace, phase, checksum, metadata} and fails a check on any status above 202.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asFlaggerScenario, inconclusiveScenarios, scenarioById, type Scenario } from '@aiops/testkit';
import { startKubeFixture, type KubeFixture } from '../support/fakes.js';
import { startServiceProcess, type ServiceProcess } from '../support/service-process.js';

const panic = asFlaggerScenario(scenarioById('go-panic')!);
const healthy = asFlaggerScenario(scenarioById('healthy')!);
const healthyNoCanary = asFlaggerScenario(scenarioById('healthy')!, { canaryObject: false });
const oom = asFlaggerScenario(scenarioById('oom-killed')!);
const thin = asFlaggerScenario(inconclusiveScenarios.find((s) => s.expected.inconclusive?.kind === 'thin')!);
const faulty = asFlaggerScenario(scenarioById('java-npe')!);

let kube: KubeFixture;
let service: ServiceProcess;
beforeAll(async () => {
  kube = await startKubeFixture([panic, healthy, healthyNoCanary, oom, thin, faulty]);
  service = await startServiceProcess({ ...kube.env, LLM_PROVIDER: 'none' });
});
afterAll(async () => {
  await service.stop();
  await kube.close();
});

async function hook(
  url: string,
  name: string,
  scenario: Scenario,
  checksum = 'rev-1',
  metadata: Record<string, string> = {},
): Promise<{ status: number; text: string; verdict: string | null }> {
  const res = await fetch(`${url}/flagger/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      name: scenario.flagger!.name,
      namespace: scenario.namespace,
      phase: name === 'confirm-promotion' ? 'WaitingPromotion' : 'Progressing',
      checksum,
      metadata,
    }),
    signal: AbortSignal.timeout(30_000),
  });
  return { status: res.status, text: await res.text(), verdict: res.headers.get('aiops-verdict') };
}

const podLists = (scenario: Scenario) =>
  kube.kube.requests.filter((r) => r.method === 'GET' && r.path === `/api/v1/namespaces/${scenario.namespace}/pods`)
    .length;

describe('Flagger webhooks', () => {
  it('confirm-promotion for a panicking canary: a 4xx whose one line names the panic', async () => {
    const { status, text, verdict } = await hook(service.url, 'confirm-promotion', panic);
    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(500);
    expect(verdict).toBe('reject');
    expect(text.trimEnd()).not.toContain('\n');
    expect(text).toMatch(/^reject \(confidence 95\): .*panic/i);
    expect(text).toMatch(/nil pointer/);
  });

  it('confirm-promotion for a healthy canary: 200', async () => {
    const { status, text } = await hook(service.url, 'confirm-promotion', healthy);
    expect(status).toBe(200);
    expect(text).toMatch(/^promote \(confidence \d+\): /);
  });

  it('the rollout hook fails a crashing canary with a 4xx (counted, never retried)', async () => {
    const { status, text } = await hook(service.url, 'rollout', oom);
    expect(status).toBe(422);
    expect(text).toMatch(/OOMKilled/);
  });

  it('thin evidence: confirm-promotion is held (4xx), the rollout hook answers 200 saying why', async () => {
    const gate = await hook(service.url, 'confirm-promotion', thin);
    expect(gate.status).toBe(409);
    expect(gate.verdict).toBe('inconclusive');
    expect(gate.text).toMatch(/^hold: inconclusive/);
    const rollout = await hook(service.url, 'rollout', thin);
    expect(rollout.status).toBe(200);
    expect(rollout.text).toMatch(/^inconclusive, not counted against the canary: /);
  });

  it('a Canary that cannot be read: the pods are found from the <name> and <name>-primary Deployments', async () => {
    const { status } = await hook(service.url, 'confirm-promotion', healthyNoCanary);
    expect(status).toBe(200);
    const paths = kube.kube.requests.map((r) => r.path);
    expect(paths).toContain(
      `/apis/flagger.app/v1beta1/namespaces/${healthyNoCanary.namespace}/canaries/${healthyNoCanary.flagger!.name}`,
    );
    expect(paths).toContain(
      `/apis/apps/v1/namespaces/${healthyNoCanary.namespace}/deployments/${healthyNoCanary.flagger!.target}-primary`,
    );
  });

  it('one analysis per checksum: later calls reuse it, a new checksum starts another', async () => {
    await hook(service.url, 'rollout', panic, 'rev-1');
    const before = podLists(panic);
    expect(before).toBeGreaterThan(0);
    for (const name of ['pre-rollout', 'rollout', 'confirm-promotion']) {
      expect((await hook(service.url, name, panic, 'rev-1')).status).toBe(422);
    }
    expect(podLists(panic)).toBe(before);
    expect((await hook(service.url, 'rollout', panic, 'rev-2')).status).toBe(422);
    expect(podLists(panic)).toBeGreaterThan(before);
  });

  it('the verdict is an Event on the Canary; the same verdict of another revision updates its count', async () => {
    const events = () =>
      kube.kube.events(panic.namespace).filter((e) => e.reason === 'AnalysisReject') as Array<Record<string, unknown>>;
    await expect.poll(() => events().map((e) => e.count)).toEqual([2]);
    expect(events()[0]).toMatchObject({
      type: 'Warning',
      involvedObject: { apiVersion: 'flagger.app/v1beta1', kind: 'Canary', name: panic.flagger!.name },
    });
  });

  it('a dependency failure is a 503, never a verdict; the next call starts afresh', async () => {
    const fault = kube.kube.faults.inject({
      kind: 'status',
      status: 500,
      match: { path: `/api/v1/namespaces/${faulty.namespace}/pods` },
    });
    try {
      const failed = await hook(service.url, 'confirm-promotion', faulty);
      expect(failed.status).toBe(503);
      expect(failed.verdict).toBeNull();
    } finally {
      fault.remove();
    }
    const next = await hook(service.url, 'confirm-promotion', faulty);
    expect(next.status).toBe(422);
    expect(next.text).toMatch(/NullPointerException/);
  });

  it('an unknown hook: 404 naming the served ones; a payload without a name: 400', async () => {
    const unknown = await hook(service.url, 'post-rollout', healthy);
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain('pre-rollout, rollout, confirm-promotion');
    const res = await fetch(`${service.url}/flagger/rollout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ namespace: 'test' }),
    });
    expect(res.status).toBe(400);
  });
});

describe('answers within the hook timeout: the first call starts the analysis, later calls reuse it', () => {
  let quick: ServiceProcess;
  beforeAll(async () => {
    quick = await startServiceProcess({
      ...kube.env,
      LLM_PROVIDER: 'none',
      FLAGGER_HOOK_WAIT_MS: '0',
      ANALYZE_NAMESPACES: healthy.namespace,
    });
  });
  afterAll(async () => {
    await quick.stop();
  });

  it('running: confirm-promotion is held, rollout is accepted (202); then the verdict', async () => {
    const first = await hook(quick.url, 'confirm-promotion', healthy, 'rev-quick');
    expect(first.status).toBe(409);
    expect(first.verdict).toBe('running');
    const rollout = await hook(quick.url, 'rollout', healthy, 'rev-quick');
    expect([200, 202]).toContain(rollout.status);
    await expect.poll(async () => (await hook(quick.url, 'confirm-promotion', healthy, 'rev-quick')).status).toBe(200);
  });

  it('ANALYZE_NAMESPACES bounds the Flagger route too: 403 naming the namespace', async () => {
    const { status, text } = await hook(quick.url, 'rollout', panic);
    expect(status).toBe(403);
    expect(text).toContain(panic.namespace);
  });
});
