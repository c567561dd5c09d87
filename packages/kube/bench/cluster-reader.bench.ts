/**
 * Cost of reading one scenario's evidence through the real adapter and the fake API server (pods of both sides,
 * every container's current and previous log, events, Rollout), and of building the corpus. Prints figures only.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CANARY_SELECTOR, DEFAULT_STABLE_SELECTOR, type ClusterReader } from '@aiops/contracts';
import { buildScenarios, scenarios, startFakeKubeApi, type Scenario } from '@aiops/testkit';
import { createClusterReader, loadKubeConfig } from '@aiops/kube';

async function time(label: string, runs: number, fn: () => Promise<unknown>): Promise<void> {
  await fn(); // warm-up
  const start = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) await fn();
  const ms = Number(process.hrtime.bigint() - start) / 1e6 / runs;
  console.log(`${label.padEnd(58)} ${ms.toFixed(2).padStart(8)} ms/op`);
}

async function readScenario(reader: ClusterReader, scenario: Scenario): Promise<number> {
  const signal = new AbortController().signal;
  let bytes = 0;
  const sides = [
    scenario.stableSelector ?? DEFAULT_STABLE_SELECTOR,
    scenario.canarySelector ?? DEFAULT_CANARY_SELECTOR,
  ];
  const pods = (await Promise.all(sides.map((s) => reader.listPods(scenario.namespace, s, { signal })))).flat();
  const logs = pods.flatMap((pod) =>
    pod.containers.flatMap((c) =>
      [false, true].map((previous) =>
        reader.readLog(
          {
            namespace: scenario.namespace,
            pod: pod.name,
            container: c.name,
            previous,
            tailLines: 2000,
            limitBytes: 1_000_000,
          },
          { signal },
        ),
      ),
    ),
  );
  for (const log of await Promise.all(logs)) bytes += log.length;
  await Promise.all([
    reader.listEvents(scenario.namespace, { signal }),
    reader.getRollout(scenario.namespace, scenario.rolloutName, { signal }),
  ]);
  return bytes;
}

await time('buildScenarios() (14 scenarios, seeded logs)', 10, async () => buildScenarios());
const api = await startFakeKubeApi({ scenarios });
const dir = await mkdtemp(join(tmpdir(), 'kube-bench-'));
try {
  const reader = createClusterReader(loadKubeConfig({ kubeconfigPath: await api.writeKubeconfig(dir) }), {
    timeoutMs: 10_000,
  });
  for (const id of ['healthy', 'one-of-three-fails', 'crashloop-previous']) {
    const scenario = scenarios.find((s) => s.id === id)!;
    await time(`read all evidence of ${id}`, 20, () => readScenario(reader, scenario));
  }
  await time('read all evidence of the 14 scenarios, sequentially', 3, async () => {
    for (const scenario of scenarios) await readScenario(reader, scenario);
  });
} finally {
  await api.close();
  await rm(dir, { recursive: true, force: true });
}
