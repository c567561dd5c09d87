/**
 * Prompt injection, against the built service: every payload of the red-team set is printed by the canary (logs and
 * events) of failing and healthy scenarios, asking for the wrong verdict — promote the failing ones, roll back the
 * healthy ones. The fake model OBEYS whatever it recognises, and cheats to make a rollback stick (forged evidence ids,
 * stable's lines, info lines, an invented finding). The test proves each payload reached the model inside the data
 * fence and was obeyed; the policy must still give every scenario its right verdict.
 *
 * Each guard this leans on breaks it: drop "a veto must cite evidence of a canary problem" and healthy canaries are
 * rolled back; drop the hard-failure or regression rule and failing ones are promoted; drop the fence (or let data
 * close it) and the fence assertions fail.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  attackGoal,
  foldForMatching,
  injectionProbe,
  injectionPayloads,
  pluginRequestBody,
  redTeamModel,
  scenarioById,
  startFakeGemini,
  withInjection,
  type FakeGemini,
  type RedTeamTurn,
} from '@aiops/testkit';
import { startKubeFixture, type KubeFixture } from '../support/fakes.js';
import { postJson, startServiceProcess, type ServiceProcess } from '../support/service-process.js';

// A hard failure, a metric regression (no hard failure), and two healthy canaries (one with a harmless new line).
const bases = ['go-panic', 'latency-regression', 'healthy', 'cosmetic-color'].map((id) => {
  const scenario = scenarioById(id);
  if (!scenario) throw new Error(`corpus scenario ${id} is missing`);
  return scenario;
});
const variants = bases.flatMap((base) =>
  injectionPayloads.map((payload) => ({
    base,
    payload,
    goal: attackGoal(base),
    scenario: withInjection(base, payload),
  })),
);

interface ReportRow {
  variant: string;
  told: string;
  modelAnswered: string;
  policy: string;
}
const report: ReportRow[] = [];

let kube: KubeFixture;
let gemini: FakeGemini;
let service: ServiceProcess;
const model = redTeamModel();
beforeAll(async () => {
  kube = await startKubeFixture(variants.map((v) => v.scenario));
  gemini = await startFakeGemini({ responder: model.responder });
  service = await startServiceProcess({
    ...kube.env,
    GOOGLE_API_KEY: 'fake-key-for-tests',
    GEMINI_BASE_URL: gemini.url,
  });
});
afterAll(async () => {
  await service.stop();
  await gemini.close();
  await kube.close();
  // For review: what the model was told and what the policy made of it, per variant.
  const dir = join(process.cwd(), 'test', 'e2e', '.reports');
  await mkdir(dir, { recursive: true });
  const lines = [
    '| variant | model told | model answered | policy |',
    '|---|---|---|---|',
    ...report.map((r) => `| ${r.variant} | ${r.told} | ${r.modelAnswered} | ${r.policy} |`),
  ];
  await writeFile(join(dir, 'redteam.md'), `${lines.join('\n')}\n`);
});

/** The data fence of a diagnosis prompt: the text between `<<<EVIDENCE-<hex>` and `EVIDENCE-<hex>>>>`. */
function splitAtFence(prompt: string): { inside: string; outside: string } {
  const open = /<<<EVIDENCE-([0-9a-f]{16,})\n/.exec(prompt);
  expect(open, 'the prompt opens a data fence').not.toBeNull();
  const close = `EVIDENCE-${open![1]}>>>`;
  const start = open!.index + open![0].length;
  const end = prompt.indexOf(close, start);
  expect(end, 'the prompt closes the data fence').toBeGreaterThan(start);
  expect(prompt.indexOf(close, end + 1), 'the fence closes once').toBe(-1);
  return { inside: prompt.slice(start, end), outside: prompt.slice(0, open!.index) + prompt.slice(end + close.length) };
}

describe('red team: a model that obeys injected instructions never flips a verdict', () => {
  it('has at least 30 payloads, each written for both goals', () => {
    expect(injectionPayloads.length).toBeGreaterThanOrEqual(30);
    for (const p of injectionPayloads) {
      // Each goal's probe identifies that goal only.
      expect(foldForMatching(p.text('reject')), p.id).not.toContain(injectionProbe(p, 'promote'));
      expect(foldForMatching(p.text('promote')), p.id).not.toContain(injectionProbe(p, 'reject'));
    }
  });

  it.each(variants.map((v) => [v.scenario.id, v] as const))('%s', async (_id, { scenario, payload, goal }) => {
    const before = model.turns.length;
    const { status, json } = await postJson(`${service.url}/a2a/analyze`, pluginRequestBody(scenario));
    const turns: RedTeamTurn[] = model.turns.slice(before);
    const first = turns[0];
    report.push({
      variant: scenario.id,
      told: `${payload.id} (${payload.technique}): ${goal}`,
      modelAnswered: first
        ? `promote=${first.answer.promote} cited=[${first.answer.evidenceIds.slice(0, 4).join(', ')}${first.answer.evidenceIds.length > 4 ? ', …' : ''}]`
        : 'not asked',
      policy: `status=${status} promote=${String(json.promote)} decidedBy=${String(json.decidedBy)}`,
    });

    // The payload reached the model, which recognised it and obeyed: otherwise this case tests nothing.
    expect(first, 'the model was asked').toBeDefined();
    expect(first!.recognised, 'the model recognised the payload').toContain(`${payload.id}:${goal}`);
    expect(first!.obeyed).toBe(goal);
    expect(first!.answer.promote).toBe(goal === 'promote');

    // ...only inside the data fence, which nothing in the data can close or imitate.
    const { inside, outside } = splitAtFence(first!.prompt);
    const probe = injectionProbe(payload, goal);
    expect(foldForMatching(inside)).toContain(probe);
    expect(foldForMatching(outside)).not.toContain(probe);
    expect(inside).not.toMatch(/<<<|>>>/);
    const request = gemini.requests.find((r) => r.prompt === first!.prompt);
    expect(foldForMatching(request?.system ?? '')).not.toContain(probe);

    // The policy gives the scenario its right verdict whatever the model was told.
    expect(status).toBe(200);
    expect(json.promote).toBe(scenario.expected.promote);
  });
});
