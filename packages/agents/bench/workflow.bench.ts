/**
 * The whole analysis over the real Kubernetes adapter and the fake API server, at growing log volumes: time per
 * analysis, heap, and the size of the prompt the model would get (which must stay bounded).
 */
import { KubeConfig } from '@kubernetes/client-node';
import { toAnalysisRequest, type StructuredModel } from '@aiops/contracts';
import { createAnalyzer } from '@aiops/agents';
import { createRedactor } from '@aiops/evidence';
import { createClusterReader } from '@aiops/kube';
import { pluginRequestBody, startFakeKubeApi, type Scenario, type ScenarioPod } from '@aiops/testkit';

function pods(side: 'canary' | 'stable', count: number, lines: number, panicEvery: number): ScenarioPod[] {
  return Array.from({ length: count }, (_, p) => ({
    name: `shop-${side}-${p}`,
    side,
    labels: { role: side, app: 'shop' },
    podTemplateHash: side === 'canary' ? 'c4n4ry' : 'st4bl3',
    containers: [
      {
        name: 'app',
        image: `shop:${side}`,
        logs: Array.from({ length: lines }, (_, i) => {
          const ts = new Date(Date.UTC(2026, 10, 22, 10, 0, 0) + i * 10).toISOString();
          if (panicEvery > 0 && i % panicEvery === 0) {
            return `${ts} ERROR handler: panic: runtime error: invalid memory address or nil pointer dereference\ngoroutine ${i} [running]:\nmain.(*Handler).Apply(0xc0001)\n\t/app/internal/cart/handler.go:42 +0x1d`;
          }
          return `${ts} INFO request id=${(i * 7919 + p).toString(16)} path=/api/cart/${i % 500} status=200 duration=${(i % 97) + 3}ms user=u${i % 1000}`;
        }),
      },
    ],
  }));
}

function scenario(podsPerSide: number, linesPerPod: number): Scenario {
  return {
    id: `bench-${podsPerSide}x${linesPerPod}`,
    title: 'bench',
    description: 'bench',
    namespace: `bench-${podsPerSide}x${linesPerPod}`,
    rolloutName: 'shop',
    pods: [...pods('canary', podsPerSide, linesPerPod, 50), ...pods('stable', podsPerSide, linesPerPod, 0)],
    events: [],
    expected: { promote: false },
    tags: [],
  };
}

const sizes: Array<[number, number]> = [
  [3, 1000],
  [10, 2000],
  [20, 2000],
];
const corpus = sizes.map(([p, l]) => scenario(p, l));
const kube = await startFakeKubeApi({ scenarios: corpus });
const kc = new KubeConfig();
kc.loadFromString(kube.kubeconfigYaml());
const cluster = createClusterReader(kc, { timeoutMs: 30_000 });
const redactor = createRedactor();
let promptChars = 0;
const model: StructuredModel = {
  name: 'bench-model',
  async generate(request) {
    promptChars = request.system.length + request.prompt.length;
    return {
      value: request.schema.parse({
        promote: false,
        confidence: 90,
        analysis: 'bench',
        rootCause: 'panic',
        remediation: 'fix',
        evidenceIds: [],
      }),
      attempts: 1,
    };
  },
};
const analyze = createAnalyzer(
  { cluster, model, redact: (t) => redactor.redact(t) },
  {
    logs: {
      tailLines: 2000,
      limitBytes: 1_048_576,
      sinceSeconds: 86_400,
      maxPodsPerSide: 20,
      concurrency: 8,
      maxSignatures: 200,
    },
    metrics: { prometheus: { preset: 'none' }, windowSeconds: 600, stepSeconds: 15 },
    evidenceTokenBudget: 4000,
    policy: { onModelUnavailable: 'evidence' },
  },
);

for (const s of corpus) {
  const request = toAnalysisRequest(pluginRequestBody(s));
  const rawBytes = s.pods.reduce((n, p) => n + p.containers.reduce((m, c) => m + c.logs.join('\n').length, 0), 0);
  await analyze(request, { signal: new AbortController().signal }); // warm-up
  const runs = 5;
  const heapBefore = process.memoryUsage().heapUsed;
  const started = performance.now();
  let promote = true;
  for (let i = 0; i < runs; i++)
    promote = (await analyze(request, { signal: new AbortController().signal })).answer?.promote ?? false;
  const ms = (performance.now() - started) / runs;
  const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1e6;
  console.log(
    `${s.id.padEnd(16)} ${(rawBytes / 1e6).toFixed(1).padStart(5)} MB of logs  ${ms.toFixed(0).padStart(6)} ms/analysis  prompt ${promptChars} chars (~${Math.round(promptChars / 4)} tokens)  heap delta ${heapMb.toFixed(1)} MB  promote=${promote}`,
  );
}
await kube.close();
