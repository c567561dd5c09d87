import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CANARY_SELECTOR, DEFAULT_STABLE_SELECTOR, type ClusterReader } from '@aiops/contracts';
import { scenarios, startFakeKubeApi, type FakeKubeApi, type Scenario } from '@aiops/testkit';
import { createClusterReader, loadKubeConfig } from '@aiops/kube';

const selectorOf = (scenario: Scenario, side: 'canary' | 'stable'): string =>
  side === 'canary'
    ? (scenario.canarySelector ?? DEFAULT_CANARY_SELECTOR)
    : (scenario.stableSelector ?? DEFAULT_STABLE_SELECTOR);

describe('scenario fidelity through the real adapter and the fake API server', () => {
  let api: FakeKubeApi;
  let reader: ClusterReader;
  let dir: string;
  const signal = (): { signal: AbortSignal } => ({ signal: new AbortController().signal });

  beforeAll(async () => {
    api = await startFakeKubeApi({ scenarios });
    dir = await mkdtemp(join(tmpdir(), 'scenarios-'));
    reader = createClusterReader(loadKubeConfig({ kubeconfigPath: await api.writeKubeconfig(dir) }), {
      timeoutMs: 10_000,
    });
  });
  afterAll(async () => {
    await api.close();
    await rm(dir, { recursive: true, force: true });
  });

  it.each(scenarios.map((s) => [s.id, s] as const))('%s', async (_id, scenario) => {
    for (const side of ['stable', 'canary'] as const) {
      const pods = await reader.listPods(scenario.namespace, selectorOf(scenario, side), signal());
      const expected = scenario.pods.filter((p) => p.side === side);
      expect(pods.map((p) => p.name).sort()).toEqual(expected.map((p) => p.name).sort());
      for (const pod of pods) {
        const source = expected.find((p) => p.name === pod.name)!;
        expect(pod.podTemplateHash).toBe(source.podTemplateHash);
        expect(pod.ownerReplicaSet).toBe(`${scenario.rolloutName}-${source.podTemplateHash}`);
        expect(pod.containers.map((c) => c.name)).toEqual(source.containers.map((c) => c.name));
        for (const [index, container] of pod.containers.entries()) {
          const sourceContainer = source.containers[index]!;
          expect(container.restartCount).toBe(sourceContainer.restartCount ?? 0);
          expect(container.current.state).toBe(sourceContainer.state?.state ?? 'running');
          expect(container.current.reason).toBe(sourceContainer.state?.reason);
          expect(container.last?.reason).toBe(sourceContainer.lastState?.reason);
          const request = {
            namespace: scenario.namespace,
            pod: pod.name,
            container: container.name,
            tailLines: 100_000,
            limitBytes: 10_000_000,
          };
          const log = await reader.readLog({ ...request, previous: false }, signal());
          const neverStarted = sourceContainer.state?.state === 'waiting' && !sourceContainer.restartCount;
          expect(log).toBe(neverStarted ? '' : sourceContainer.logs.map((l) => `${l}\n`).join(''));
          const previous = await reader.readLog({ ...request, previous: true }, signal());
          expect(previous).toBe((sourceContainer.previousLogs ?? []).map((l) => `${l}\n`).join(''));
        }
      }
    }
    const events = await reader.listEvents(scenario.namespace, signal());
    expect(events.map((e) => e.reason).sort()).toEqual(scenario.events.map((e) => e.reason).sort());
    expect(events[0]?.reason).toBe(scenario.events[scenario.events.length - 1]?.reason);

    const rollout = await reader.getRollout(scenario.namespace, scenario.rolloutName, signal());
    if (!scenario.rollout) {
      expect(rollout).toBeUndefined();
    } else {
      expect(rollout).toMatchObject({
        name: scenario.rolloutName,
        revision: scenario.rollout.revision,
        canaryWeight: scenario.rollout.canaryWeight,
        currentPodHash: scenario.rollout.canaryPodHash,
        stablePodHash: scenario.rollout.stablePodHash,
      });
      expect(rollout?.images.length).toBeGreaterThan(0);
      expect(rollout?.images.every((i) => !i.includes('proxyv2'))).toBe(true);
    }
  });
});
