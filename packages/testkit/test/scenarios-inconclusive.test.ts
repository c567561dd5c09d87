/**
 * The inconclusive scenarios are what they say: no pod matches the canary selector (the new pods carry other
 * labels), the selectors overlap, the namespace is absent from the fake API server, the canary is five seconds old.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CANARY_SELECTOR, DEFAULT_STABLE_SELECTOR, matchesLabels, parseLabelSelector } from '@aiops/contracts';
import {
  buildInconclusiveScenarios,
  inconclusiveScenarios,
  scenarios,
  startFakeKubeApi,
  type FakeKubeApi,
  type Scenario,
} from '@aiops/testkit';

const byId = (id: string): Scenario => {
  const found = inconclusiveScenarios.find((s) => s.id === id);
  if (!found) throw new Error(`no scenario ${id}`);
  return found;
};

function matching(scenario: Scenario, selector: string) {
  const parsed = parseLabelSelector(selector);
  if (!parsed.ok) throw new Error(parsed.message);
  return scenario.pods.filter((p) =>
    matchesLabels(parsed.requirements, { ...p.labels, 'rollouts-pod-template-hash': p.podTemplateHash }),
  );
}

describe('inconclusive scenarios', () => {
  it('are labelled, deterministic, and separate from the verdict corpus', () => {
    expect(inconclusiveScenarios.map((s) => [s.id, s.expected.inconclusive?.kind])).toEqual([
      ['absent-canary-labels', 'absent'],
      ['absent-overlapping-selectors', 'absent'],
      ['absent-namespace', 'absent'],
      ['thin-five-seconds', 'thin'],
    ]);
    expect(JSON.stringify(buildInconclusiveScenarios())).toBe(JSON.stringify(inconclusiveScenarios));
    const corpusNamespaces = new Set(scenarios.map((s) => s.namespace));
    expect(inconclusiveScenarios.filter((s) => corpusNamespaces.has(s.namespace))).toEqual([]);
    for (const s of inconclusiveScenarios) expect(s.namespace).toBe(`scn-${s.id}`);
    // Absent evidence is never promoted; thin evidence may be.
    for (const s of inconclusiveScenarios) expect(s.expected.promote).toBe(s.expected.inconclusive?.kind === 'thin');
  });

  it("absent-canary-labels: nothing matches role=canary; the Rollout's newest pods carry role=preview", () => {
    const s = byId('absent-canary-labels');
    expect(matching(s, DEFAULT_CANARY_SELECTOR)).toEqual([]);
    const newest = matching(s, `rollouts-pod-template-hash=${s.rollout?.canaryPodHash ?? ''}`);
    expect(newest.map((p) => p.labels)).toEqual([{ app: 'refunds', role: 'preview' }]);
    expect(matching(s, DEFAULT_STABLE_SELECTOR).length).toBeGreaterThan(0);
  });

  it('absent-overlapping-selectors: the stable pods match both selectors', () => {
    const s = byId('absent-overlapping-selectors');
    const canary = new Set(matching(s, s.canarySelector ?? '').map((p) => p.name));
    const both = matching(s, s.stableSelector ?? '').filter((p) => canary.has(p.name));
    expect(both.length).toBe(2);
  });

  it('thin-five-seconds: a ready canary pod five seconds old with one log line', () => {
    const canary = byId('thin-five-seconds').pods.filter((p) => p.side === 'canary');
    expect(canary.map((p) => [p.ageSeconds, p.containers.at(-1)?.logs.length])).toEqual([[5, 1]]);
  });

  describe('on the fake API server', () => {
    let api: FakeKubeApi;
    beforeAll(async () => {
      api = await startFakeKubeApi({ scenarios: inconclusiveScenarios });
    });
    afterAll(async () => {
      await api.close();
    });

    it('absent-namespace: the namespace is 404 and listing its pods is empty, as on a real API server', async () => {
      expect((await fetch(`${api.url}/api/v1/namespaces/scn-absent-namespace`)).status).toBe(404);
      expect((await fetch(`${api.url}/api/v1/namespaces/scn-absent-canary-labels`)).status).toBe(200);
      const list = (await (await fetch(`${api.url}/api/v1/namespaces/scn-absent-namespace/pods`)).json()) as {
        items: unknown[];
      };
      expect(list.items).toEqual([]);
    });

    it('thin-five-seconds: the canary pod was created five seconds ago', async () => {
      const list = (await (
        await fetch(`${api.url}/api/v1/namespaces/scn-thin-five-seconds/pods?labelSelector=role%3Dcanary`)
      ).json()) as {
        items: Array<{ metadata: { creationTimestamp: string } }>;
      };
      const age = (Date.now() - Date.parse(list.items[0]?.metadata.creationTimestamp ?? '')) / 1000;
      expect(age).toBeGreaterThanOrEqual(4);
      expect(age).toBeLessThan(120);
    });
  });
});
