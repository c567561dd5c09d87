/**
 * Argo Rollouts' built-in `web` metric provider against the built service: the request an AnalysisTemplate's
 * `jsonBody` sends (examples/argo-rollouts/web-analysis-template.yaml), with the pod-template hashes Argo resolves
 * from `valueFrom.podTemplateHashValue`, gives the right verdict for every corpus scenario; thin and absent evidence
 * give `inconclusive` without a `promote` key (Argo: neither condition holds, so the measurement is Inconclusive);
 * only a dependency failure is a non-200.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { WebAnswerSchema } from '@aiops/contracts';
import { inconclusiveScenarios, scenarios, type Scenario } from '@aiops/testkit';
import { startKubeFixture, type KubeFixture } from '../support/fakes.js';
import { postJson, startServiceProcess, type ServiceProcess } from '../support/service-process.js';

let kube: KubeFixture;
let service: ServiceProcess;
beforeAll(async () => {
  kube = await startKubeFixture([...scenarios, ...inconclusiveScenarios]);
  service = await startServiceProcess({ ...kube.env, LLM_PROVIDER: 'none' });
});
afterAll(async () => {
  await service.stop();
  await kube.close();
});

const hashOf = (scenario: Scenario, side: 'canary' | 'stable'): string => {
  const hashes = new Set(scenario.pods.filter((p) => p.side === side).map((p) => p.podTemplateHash));
  if (hashes.size !== 1) throw new Error(`${scenario.id}: ${side} pods do not share one pod-template hash`);
  return [...hashes][0]!;
};

/** What the example AnalysisTemplate's jsonBody sends once Argo has resolved its args. */
function webBody(scenario: Scenario): Record<string, string> {
  return {
    namespace: scenario.namespace,
    rolloutName: scenario.rolloutName,
    canaryPodTemplateHash: hashOf(scenario, 'canary'),
    stablePodTemplateHash: hashOf(scenario, 'stable'),
    ...(scenario.extraPrompt ? { extraPrompt: scenario.extraPrompt } : {}),
  };
}

async function analyze(body: unknown) {
  const { status, json } = await postJson(`${service.url}/web/analyze`, body);
  return { status, json, answer: status === 200 ? WebAnswerSchema.parse(json) : undefined };
}

/** The example AnalysisTemplate's conditions, as Argo evaluates them on `result`. */
function argoPhase(verdict: string): 'Successful' | 'Failed' | 'Inconclusive' {
  const template = parse(
    readFileSync(new URL('../../examples/argo-rollouts/web-analysis-template.yaml', import.meta.url), 'utf8'),
  ) as {
    spec: { metrics: Array<{ successCondition: string; failureCondition: string }> };
  };
  const metric = template.spec.metrics[0]!;
  const holds = (condition: string) => {
    const m = /^result\.verdict == "(\w+)"$/.exec(condition);
    if (!m) throw new Error(`unexpected condition ${condition}`);
    return verdict === m[1];
  };
  if (holds(metric.failureCondition)) return 'Failed';
  if (holds(metric.successCondition)) return 'Successful';
  return 'Inconclusive';
}

/**
 * The corpus is labelled for the two-outcome plugin: a canary that is ready but has had no traffic yet is promoted
 * there (thin evidence, low confidence); callers that can say Inconclusive are told that instead.
 */
function expectedVerdict(scenario: Scenario): 'promote' | 'reject' | 'inconclusive' {
  if (!scenario.expected.promote) return 'reject';
  return scenario.tags.includes('no-traffic') ? 'inconclusive' : 'promote';
}
const PHASES = { promote: 'Successful', reject: 'Failed', inconclusive: 'Inconclusive' } as const;

describe('POST /web/analyze, pods selected by pod-template hash', () => {
  it.each(scenarios.map((s) => [s.id, s] as const))('%s', async (_id, scenario) => {
    const { status, json, answer } = await analyze(webBody(scenario));
    expect(status).toBe(200);
    const expected = expectedVerdict(scenario);
    expect(answer?.verdict).toBe(expected);
    if (expected === 'inconclusive') expect(json).not.toHaveProperty('promote');
    else expect(answer?.promote).toBe(expected === 'promote');
    expect(argoPhase(expected)).toBe(PHASES[expected]);
    if (!scenario.expected.promote)
      for (const word of scenario.expected.rootCauseMentions ?? [])
        expect(`${answer?.rootCause} ${answer?.analysis}`).toMatch(new RegExp(word, 'i'));
  });

  it('a Go panic: reject naming the panic, under the context key too', async () => {
    const scenario = scenarios.find((s) => s.id === 'go-panic')!;
    const { status, answer } = await analyze({ context: webBody(scenario) });
    expect(status).toBe(200);
    expect(answer).toMatchObject({ verdict: 'reject', promote: false, confidence: 95 });
    expect(answer?.rootCause).toMatch(/nil pointer/i);
  });
});

describe('inconclusive: thin and absent evidence', () => {
  const thin = inconclusiveScenarios.filter((s) => s.expected.inconclusive?.kind === 'thin');
  const absent = inconclusiveScenarios.filter((s) => s.expected.inconclusive?.kind === 'absent');

  it.each(thin.map((s) => [s.id, s] as const))('%s (thin): inconclusive, no promote key', async (_id, scenario) => {
    const { status, json, answer } = await analyze(webBody(scenario));
    expect(status).toBe(200);
    expect(json).not.toHaveProperty('promote');
    expect(answer).toMatchObject({ verdict: 'inconclusive', inconclusive: { kind: 'thin' } });
    expect(answer?.confidence).toBeLessThanOrEqual(60);
    expect(argoPhase('inconclusive')).toBe('Inconclusive');
  });

  it.each(absent.map((s) => [s.id, s] as const))(
    '%s (absent): inconclusive saying what is missing',
    async (_id, scenario) => {
      const { status, json, answer } = await analyze({
        namespace: scenario.namespace,
        rolloutName: scenario.rolloutName,
        ...(scenario.canarySelector ? { canarySelector: scenario.canarySelector } : {}),
        ...(scenario.stableSelector ? { stableSelector: scenario.stableSelector } : {}),
      });
      expect(status).toBe(200);
      expect(json).not.toHaveProperty('promote');
      expect(answer).toMatchObject({ verdict: 'inconclusive', confidence: 0, inconclusive: { kind: 'absent' } });
      const expected = scenario.expected.inconclusive;
      for (const words of expected?.kind === 'absent' ? expected.reasonMentions : [])
        expect(answer?.analysis).toContain(words);
    },
  );

  it('Latest == Stable (no canary yet): one pod on both sides is inconclusive, never a promotion', async () => {
    const scenario = scenarios.find((s) => s.id === 'healthy')!;
    const hash = hashOf(scenario, 'stable');
    const { json, answer } = await analyze({ ...webBody(scenario), canaryPodTemplateHash: hash });
    expect(json).not.toHaveProperty('promote');
    expect(answer).toMatchObject({ verdict: 'inconclusive', inconclusive: { absence: 'overlapping-selectors' } });
  });
});

describe('errors', () => {
  it('a hash that is not a label value: 400 naming the field', async () => {
    const { status, json } = await postJson(`${service.url}/web/analyze`, {
      namespace: 'scn-healthy',
      canaryPodTemplateHash: '{{args.canary-hash}}',
    });
    expect(status).toBe(400);
    expect(json).toMatchObject({ error: { code: 'invalid_request', field: 'canaryPodTemplateHash' } });
  });

  it('the Kubernetes API failing: 503 with Retry-After, never a verdict', async () => {
    const scenario = scenarios.find((s) => s.id === 'healthy')!;
    const fault = kube.kube.faults.inject({ kind: 'status', status: 500, match: { path: /\/pods$/ } });
    try {
      const { status, headers, json } = await postJson(`${service.url}/web/analyze`, {
        ...webBody(scenario),
        extraPrompt: 'fault run',
      });
      expect(status).toBe(503);
      expect(headers.get('retry-after')).not.toBeNull();
      expect(json).not.toHaveProperty('verdict');
      expect(json).toMatchObject({ error: { code: 'dependency_unavailable', dependency: 'kubernetes' } });
    } finally {
      fault.remove();
    }
  });
});
