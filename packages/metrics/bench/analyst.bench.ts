/** Wall time of one metrics analysis (istio preset: 6 metrics x 2 sides over HTTP, judged) against the fake Prometheus. */
import { analyzeCanaryMetrics, createPrometheusSource } from '@aiops/metrics';
import { startFakePrometheus } from '@aiops/testkit';
import type { Scenario } from '@aiops/testkit';

const steps = 40;
const wobble = (level: number, spread: number) =>
  Array.from({ length: steps }, (_, i) => level + spread * (((i * 7) % 11) / 10 - 0.5));
const scenario: Scenario = {
  id: 'bench',
  title: 'bench',
  description: 'bench',
  namespace: 'bench',
  rolloutName: 'web',
  pods: [
    { name: 'web-a-1', side: 'stable', labels: {}, podTemplateHash: 'a', containers: [] },
    { name: 'web-b-1', side: 'canary', labels: {}, podTemplateHash: 'b', containers: [] },
  ],
  events: [],
  metrics: {
    request_success_rate: { canary: wobble(0.99, 0.01), stable: wobble(0.999, 0.001) },
    latency_p99_ms: { canary: wobble(300, 30), stable: wobble(150, 20) },
    request_rate: { canary: wobble(10, 2), stable: wobble(40, 4) },
    cpu_cores: { canary: wobble(0.2, 0.05), stable: wobble(0.2, 0.05) },
    memory_bytes: { canary: wobble(2e8, 1e7), stable: wobble(2e8, 1e7) },
    restarts: { canary: wobble(0, 0), stable: wobble(0, 0) },
  },
  expected: { promote: false },
  tags: [],
};

const fake = await startFakePrometheus({ scenarios: [scenario] });
try {
  const source = createPrometheusSource({ url: fake.url, timeoutMs: 5_000 });
  const target = {
    namespace: 'bench',
    canary: { podNames: ['web-b-1'] },
    stable: { podNames: ['web-a-1'] },
    windowSeconds: (steps - 1) * 15,
    stepSeconds: 15,
    now: new Date(),
  };
  const run = () => analyzeCanaryMetrics(source, target, { preset: 'istio' }, { signal: new AbortController().signal });
  await run(); // warm-up: connection pool, JIT
  const runs = 50;
  const start = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) await run();
  const ms = Number(process.hrtime.bigint() - start) / 1e6 / runs;
  const last = await run();
  console.log(
    `analyzeCanaryMetrics, istio preset, ${steps} samples/side: ${ms.toFixed(2)} ms/analysis (${last.findings.length} findings, score ${last.score ?? '-'})`,
  );
} finally {
  await fake.close();
}
