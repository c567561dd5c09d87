/**
 * Prints the exact prompt the model would get for a corpus scenario, and the verdict the evidence reaches:
 *   node --conditions=source --import tsx packages/agents/bench/show-prompt.ts go-panic
 * A reading aid for prompt and evidence work; not part of `pnpm bench` (its name does not end in .bench.ts).
 */
import { KubeConfig } from '@kubernetes/client-node';
import { toAnalysisRequest, type StructuredModel } from '@aiops/contracts';
import { createAnalyzer } from '@aiops/agents';
import { createRedactor } from '@aiops/evidence';
import { createClusterReader } from '@aiops/kube';
import { pluginRequestBody, scenarioById, scenarios, startFakeKubeApi } from '@aiops/testkit';

const id = process.argv[2] ?? 'go-panic';
const scenario = scenarioById(id);
if (!scenario) throw new Error(`no scenario "${id}"; known: ${scenarios.map((s) => s.id).join(', ')}`);
const kube = await startFakeKubeApi({ scenarios });
const kubeConfig = new KubeConfig();
kubeConfig.loadFromString(kube.kubeconfigYaml());
const redactor = createRedactor();
let system = '';
let prompt = '';
const recorder: StructuredModel = {
  name: 'prompt-recorder',
  async generate(request) {
    system = request.system;
    prompt = request.prompt;
    // Agrees with nothing in particular: the point is the prompt, the policy decides from the evidence.
    return {
      value: request.schema.parse({
        promote: true,
        confidence: 50,
        analysis: 'recorded',
        rootCause: 'none',
        remediation: 'none required',
        evidenceIds: [],
      }),
      attempts: 1,
    };
  },
};
const analyze = createAnalyzer(
  {
    cluster: createClusterReader(kubeConfig, { timeoutMs: 5000 }),
    model: recorder,
    redact: (text) => redactor.redact(text),
  },
  {
    logs: {
      tailLines: 2000,
      limitBytes: 1_048_576,
      sinceSeconds: 900,
      maxPodsPerSide: 20,
      concurrency: 4,
      maxSignatures: 200,
    },
    metrics: { prometheus: { preset: 'none' }, windowSeconds: 600, stepSeconds: 15 },
    evidenceTokenBudget: 4000,
    policy: { onModelUnavailable: 'evidence' },
  },
);
try {
  const outcome = await analyze(toAnalysisRequest(pluginRequestBody(scenario)), {
    signal: new AbortController().signal,
  });
  console.log(`=== system (${system.length} chars)\n${system}\n\n=== prompt (${prompt.length} chars)\n${prompt}\n`);
  console.log(
    `=== verdict: promote=${outcome.answer?.promote} (${outcome.verdict?.decidedBy ?? `inconclusive: ${outcome.absent?.reason ?? ''}`}), root cause: ${outcome.answer?.rootCause}`,
  );
} finally {
  await kube.close();
}
