/**
 * The EventRecorder adapter (real @kubernetes/client-node) against the fake API server: the Event is written on the
 * Rollout with its uid, a repeated verdict patches one Event's count (also across a restart: a second recorder
 * meets 409 and continues the count), and failures are typed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DependencyError, type VerdictEvent } from '@aiops/contracts';
import { scenarioById, startFakeKubeApi, type FakeKubeApi } from '@aiops/testkit';
import { createEventRecorder, loadKubeConfig } from '@aiops/kube';

const scenario = scenarioById('go-panic')!;
let fake: FakeKubeApi;
let dir: string;
let kubeconfigPath: string;

beforeAll(async () => {
  fake = await startFakeKubeApi({ scenarios: [scenario] });
  dir = await mkdtemp(join(tmpdir(), 'aiops-events-'));
  kubeconfigPath = await fake.writeKubeconfig(dir);
});
afterAll(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

const signal = () => AbortSignal.timeout(5000);
const recorder = () => createEventRecorder(loadKubeConfig({ kubeconfigPath }), { timeoutMs: 5000 });

const reject = (message: string, key = 'reject:panic'): VerdictEvent => ({
  involvedObject: {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    namespace: scenario.namespace,
    name: scenario.rolloutName,
  },
  type: 'Warning',
  reason: 'AnalysisReject',
  message,
  key,
});

const ours = () => fake.events(scenario.namespace).filter((e) => e.reason === 'AnalysisReject');

describe('EventRecorder', () => {
  it('creates the Event on the Rollout, then patches its count for the same verdict', async () => {
    const events = recorder();
    const first = await events.record(reject('Do not promote: panic (1)'), { signal: signal() });
    const second = await events.record(reject('Do not promote: panic (2)'), { signal: signal() });
    expect(first?.name).toBe(second?.name);
    expect(second?.count).toBe(2);
    expect(ours()).toHaveLength(1);
    expect(ours()[0]).toMatchObject({
      type: 'Warning',
      count: 2,
      message: 'Do not promote: panic (2)',
      involvedObject: { kind: 'Rollout', name: scenario.rolloutName, uid: expect.any(String) as unknown },
      source: { component: 'aiops-agent' },
    });
    const rollout = fake.requests.find((r) => r.path.endsWith(`/rollouts/${scenario.rolloutName}`));
    expect(rollout).toBeDefined();
    const methods = fake.requests.filter((r) => r.path.includes('/events')).map((r) => r.method);
    expect(methods).toEqual(['POST', 'PATCH']);
  });

  it('a restarted process (or another replica) continues the same Event: 409, read, patch', async () => {
    const written = await recorder().record(reject('Do not promote: panic (3)'), { signal: signal() });
    expect(written?.count).toBe(3);
    expect(ours()).toHaveLength(1);
    expect(ours()[0]?.count).toBe(3);
  });

  it('another cause is another Event', async () => {
    await recorder().record(reject('Do not promote: OOMKilled', 'reject:oom'), { signal: signal() });
    expect(ours()).toHaveLength(2);
  });

  it('an object that does not exist gets no Event', async () => {
    const event = reject('x');
    event.involvedObject = { ...event.involvedObject, name: 'no-such-rollout' };
    expect(await recorder().record(event, { signal: signal() })).toBeUndefined();
  });

  it('a refused write is a kubernetes DependencyError naming RBAC', async () => {
    const fault = fake.faults.inject({ kind: 'status', status: 403, match: { method: 'POST', path: /\/events$/ } });
    try {
      await expect(recorder().record(reject('y', 'reject:other'), { signal: signal() })).rejects.toThrow(
        DependencyError,
      );
      await expect(recorder().record(reject('y', 'reject:other'), { signal: signal() })).rejects.toThrow(/RBAC/);
    } finally {
      fault.remove();
    }
  });
});
