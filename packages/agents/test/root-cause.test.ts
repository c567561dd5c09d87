/**
 * Issue 11: without a model, `rootCause` of every failing corpus scenario is one line that names the innermost error
 * and, for a stack trace, the application frame where it happened: never a raw stack, never an unbalanced bracket.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toAnalysisRequest } from '@aiops/contracts';
import { createAnalyzer, type WorkflowConfig } from '@aiops/agents';
import { balanceBrackets, createRedactor } from '@aiops/evidence';
import { createClusterReader } from '@aiops/kube';
import { KubeConfig } from '@kubernetes/client-node';
import { pluginRequestBody, scenarios, startFakeKubeApi, type FakeKubeApi } from '@aiops/testkit';

const config: WorkflowConfig = {
  logs: {
    tailLines: 2000,
    limitBytes: 1_048_576,
    sinceSeconds: 900,
    maxPodsPerSide: 20,
    concurrency: 4,
    maxSignatures: 200,
  },
  metrics: { prometheus: { preset: 'none' }, windowSeconds: 600, stepSeconds: 15 },
  evidenceTokenBudget: 3000,
  policy: { onModelUnavailable: 'evidence' },
};

let kube: FakeKubeApi;
let analyze: ReturnType<typeof createAnalyzer>;
beforeAll(async () => {
  kube = await startFakeKubeApi({ scenarios });
  const kc = new KubeConfig();
  kc.loadFromString(kube.kubeconfigYaml());
  const redactor = createRedactor();
  analyze = createAnalyzer(
    { cluster: createClusterReader(kc, { timeoutMs: 10_000 }), redact: (t) => redactor.redact(t) },
    config,
  );
});
afterAll(async () => {
  await kube.close();
});

// An application frame as the parser names it: a source file of the app and a line number.
const APP_FRAME = / at [\w./$-]+\.(?:go|java|kt|py|[cm]?js|ts|cs|rb):\d+/;

describe('rootCause without a model', () => {
  // Regressions seen only in Prometheus metrics need the fake Prometheus: test/e2e checks their root cause.
  const needsPrometheus = (s: (typeof scenarios)[number]) =>
    (s.expected.rootCauseMentions ?? []).some((word) => /_(?:ms|bytes|rate|cores)$/.test(word));
  const failing = scenarios.filter((s) => !s.expected.promote && !needsPrometheus(s));
  it.each(failing.map((s) => [s.id, s] as const))(
    '%s: one line, innermost error, application frame',
    async (_id, scenario) => {
      const outcome = await analyze(toAnalysisRequest(pluginRequestBody(scenario)), {
        signal: new AbortController().signal,
      });
      const answer = outcome.answer;
      if (answer === undefined) throw new Error(`${scenario.id}: no answer (the evidence was absent)`);
      const rootCause = answer.rootCause;
      expect(answer.promote).toBe(false);
      expect(rootCause).not.toMatch(/\n/);
      expect(balanceBrackets(rootCause)).toBe(rootCause);
      expect(rootCause).not.toMatch(/goroutine \d+ \[|^\s+at |\tat |Traceback \(most recent/);
      expect(rootCause.length).toBeLessThanOrEqual(500);
      for (const word of scenario.expected.rootCauseMentions ?? [])
        expect(rootCause.toLowerCase()).toContain(word.toLowerCase());
      if (scenario.expected.hardFailure === 'panic' || scenario.expected.hardFailure === 'exception')
        expect(rootCause).toMatch(APP_FRAME);
      // The analysis opens with the decision and its reason, in one sentence.
      expect(answer.analysis).toMatch(/^Do not promote: [^\n]+?\.(?: |$)/);
    },
    60_000,
  );
});
