/**
 * Inconclusive outcomes against the built service, on both entry points. Absent evidence (no canary pod matches,
 * overlapping selectors, a namespace that does not exist) is never a verdict: the plugin route answers a non-200
 * without `promote` (the plugin records Error and measures again) whose message says what to fix, and A2A completes
 * with `verdict: "inconclusive"` and the reason. Thin evidence (a canary seconds old with one line) promotes on the
 * plugin route with confidence at most 60 and says how thin; A2A says inconclusive. /metrics counts both.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SendMessageRequest, TaskState, type Task } from '@a2a-js/sdk';
import { ClientFactory } from '@a2a-js/sdk/client';
import { inconclusiveScenarios, pluginRequestBody, scenarioById, type Scenario } from '@aiops/testkit';
import { startKubeFixture, type KubeFixture } from '../support/fakes.js';
import { postJson, startServiceProcess, type ServiceProcess } from '../support/service-process.js';

const absent = inconclusiveScenarios.filter((s) => s.expected.inconclusive?.kind === 'absent');
const thin = inconclusiveScenarios.filter((s) => s.expected.inconclusive?.kind === 'thin');
const healthy = scenarioById('healthy')!;

let kube: KubeFixture;
let service: ServiceProcess;
beforeAll(async () => {
  kube = await startKubeFixture([...inconclusiveScenarios, healthy]);
  service = await startServiceProcess({ ...kube.env, LLM_PROVIDER: 'none' });
});
afterAll(async () => {
  await service.stop();
  await kube.close();
});

function absentExpectation(scenario: Scenario): { status: number; reasonMentions: string[] } {
  const expected = scenario.expected.inconclusive;
  if (expected?.kind !== 'absent') throw new Error(`${scenario.id} is not an absent-evidence scenario`);
  return expected;
}

const dataMessage = (data: Record<string, unknown>) =>
  SendMessageRequest.fromJSON({
    message: { messageId: crypto.randomUUID(), role: 'ROLE_USER', parts: [{ data, mediaType: 'application/json' }] },
  });

function verdictOf(task: Task): Record<string, unknown> {
  const content = task.artifacts.find((a) => a.name === 'verdict')?.parts[0]?.content;
  expect(content?.$case).toBe('data');
  return content?.$case === 'data' ? (content.value as Record<string, unknown>) : {};
}

describe('absent evidence on the metric-ai route (POST /a2a/analyze)', () => {
  it.each(absent.map((s) => [s.id, s] as const))(
    '%s: no verdict, a non-200 that says what is missing',
    async (_id, scenario) => {
      const expected = absentExpectation(scenario);
      const { status, json } = await postJson(`${service.url}/a2a/analyze`, pluginRequestBody(scenario));
      expect(status).toBe(expected.status);
      expect(json).not.toHaveProperty('promote');
      const error = json.error as { code: string; message: string; absence: string };
      for (const words of expected.reasonMentions) expect(error.message).toContain(words);
    },
  );

  it('a canary whose pods carry other labels: 409 naming the selector and the labels the newest pods carry', async () => {
    const { status, json } = await postJson(
      `${service.url}/a2a/analyze`,
      pluginRequestBody(scenarioById('absent-canary-labels') ?? inconclusiveScenarios[0]!),
    );
    expect(status).toBe(409);
    expect(json).toEqual({
      error: {
        code: 'evidence_absent',
        absence: 'no-canary-pods',
        message:
          "no pod in namespace scn-absent-canary-labels matches canarySelector role=canary; the Rollout's newest pods carry role=preview, app=refunds",
      },
    });
  });

  it('a namespace that does not exist: 409 evidence_absent, never a promotion', async () => {
    const { status, json } = await postJson(`${service.url}/a2a/analyze`, { context: { namespace: 'does-not-exist' } });
    expect(status).toBe(409);
    expect(json).toEqual({
      error: {
        code: 'evidence_absent',
        absence: 'namespace-not-found',
        message:
          'namespace does-not-exist does not exist, so no pod matches canarySelector role=canary; check the namespace of the analysis',
      },
    });
  });

  it('overlapping selectors: 400 naming both selectors and the field', async () => {
    const scenario = inconclusiveScenarios.find((s) => s.id === 'absent-overlapping-selectors')!;
    const { status, json } = await postJson(`${service.url}/a2a/analyze`, pluginRequestBody(scenario));
    expect(status).toBe(400);
    expect(json.error).toMatchObject({
      code: 'overlapping_selectors',
      field: 'context.canarySelector',
      absence: 'overlapping-selectors',
    });
    expect((json.error as { message: string }).message).toMatch(
      /^canarySelector app=wallet and stableSelector app=wallet,role=stable both match 2 pod\(s\)/,
    );
  });

  it('/metrics counts them as inconclusive outcomes, beside the verdicts', async () => {
    await postJson(`${service.url}/a2a/analyze`, pluginRequestBody(healthy));
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    const count = (labels: string) =>
      Number(new RegExp(`aiops_agent_verdicts_total\\{${labels}\\} (\\d+)`).exec(metrics)?.[1] ?? 0);
    expect(count('outcome="inconclusive",decided_by="absent-evidence"')).toBeGreaterThanOrEqual(absent.length);
    expect(count('outcome="promote",decided_by="evidence"')).toBeGreaterThanOrEqual(1);
  });
});

describe('thin evidence', () => {
  it.each(thin.map((s) => [s.id, s] as const))(
    '%s on the plugin route: promote, confidence ≤ 60, analysis says how thin',
    async (_id, scenario) => {
      const { status, json } = await postJson(`${service.url}/a2a/analyze`, pluginRequestBody(scenario));
      expect(status).toBe(200);
      expect(json.promote).toBe(true);
      expect(json.confidence as number).toBeLessThanOrEqual(60);
      expect(String(json.analysis)).toMatch(
        /^Promote with low confidence: the evidence is thin; the canary has run \d+ s; /,
      );
      for (const words of scenario.expected.inconclusive?.reasonMentions ?? [])
        expect(String(json.analysis)).toContain(words);
    },
  );

  it.each(thin.map((s) => [s.id, s] as const))(
    '%s over A2A: verdict "inconclusive" (thin) with the reason, no promote',
    async (_id, scenario) => {
      const client = await new ClientFactory().createFromUrl(service.url);
      const task = (await client.sendMessage(
        dataMessage({ namespace: scenario.namespace, rolloutName: scenario.rolloutName }),
      )) as Task;
      expect(task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
      const verdict = verdictOf(task);
      expect(verdict).toMatchObject({ verdict: 'inconclusive', inconclusive: { kind: 'thin' } });
      expect(verdict).not.toHaveProperty('promote');
      expect(verdict.confidence as number).toBeLessThanOrEqual(60);
      for (const words of scenario.expected.inconclusive?.reasonMentions ?? [])
        expect(String(verdict.reason)).toContain(words);
      const metrics = await (await fetch(`${service.url}/metrics`)).text();
      expect(metrics).toMatch(/aiops_agent_verdicts_total\{outcome="inconclusive",decided_by="evidence"\} [1-9]/);
    },
  );
});

describe('absent evidence over A2A', () => {
  it.each(absent.map((s) => [s.id, s] as const))(
    '%s: COMPLETED with verdict "inconclusive", the reason, and no promote',
    async (_id, scenario) => {
      const expected = absentExpectation(scenario);
      const client = await new ClientFactory().createFromUrl(service.url);
      const result = await client.sendMessage(
        dataMessage({
          namespace: scenario.namespace,
          rolloutName: scenario.rolloutName,
          stableSelector: scenario.stableSelector ?? 'role=stable',
          canarySelector: scenario.canarySelector ?? 'role=canary',
        }),
      );
      const task = result as Task;
      expect(task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
      const verdict = verdictOf(task);
      expect(verdict.verdict).toBe('inconclusive');
      expect(verdict).not.toHaveProperty('promote');
      expect(verdict.inconclusive).toMatchObject({ kind: 'absent' });
      for (const words of expected.reasonMentions) expect(String(verdict.reason)).toContain(words);
      const summary = task.artifacts.find((a) => a.name === 'summary')?.parts[0]?.content;
      expect(summary?.$case === 'text' ? summary.value : '').toMatch(/^INCONCLUSIVE: nothing to judge/);
    },
  );

  it('a decided canary carries verdict "promote" and its reason beside promote', async () => {
    const client = await new ClientFactory().createFromUrl(service.url);
    const task = (await client.sendMessage(
      dataMessage({ namespace: healthy.namespace, rolloutName: healthy.rolloutName }),
    )) as Task;
    expect(verdictOf(task)).toMatchObject({ verdict: 'promote', promote: true, reason: expect.any(String) as unknown });
  });
});
