/**
 * History per rollout, black-box (the built service on the fakes): a measurement of a rollout whose canary already
 * failed once says "seen in the previous measurement" in its evidence, in the prompt and in its analysis; problems
 * that appear later are "new since the last one"; the canary's error rate is trended; the /ui pages keep secrets
 * out, including secrets a model might echo.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  plantedSecrets,
  pluginRequestBody,
  responders,
  scenarioById,
  startFakeGemini,
  type FakeGemini,
  type Scenario,
} from '@aiops/testkit';
import { startKubeFixture, type KubeFixture } from '../support/fakes.js';
import { postJson, startServiceProcess, type ServiceProcess } from '../support/service-process.js';

interface SummaryFinding {
  id: string;
  hard: boolean;
  history?: string;
}
interface Answer {
  promote: boolean;
  analysis: string;
  evidence: {
    findings: SummaryFinding[];
    history?: {
      earlierMeasurements: number;
      seenInPreviousMeasurement: string[];
      newSinceLastMeasurement: string[];
      canaryErrorRateTrend: number[];
    };
  };
}

const healthy = scenarioById('healthy')!;
const panic = scenarioById('go-panic')!;
// The same rollout (namespace and name) whose next revision panics.
const panicking: Scenario = {
  ...structuredClone(panic),
  id: 'healthy-then-panic',
  namespace: healthy.namespace,
  rolloutName: healthy.rolloutName,
};
const secrets = scenarioById('secrets-in-logs')!;

let kube: KubeFixture;
let gemini: FakeGemini;
let service: ServiceProcess;
beforeAll(async () => {
  kube = await startKubeFixture([healthy, panic, secrets]);
  const secret = Object.values(plantedSecrets)[0]!;
  // A model that echoes a credential must not get it into the history either.
  gemini = await startFakeGemini({
    responder: (req) => {
      const reply = responders.heuristic(req);
      if ('json' in reply && req.prompt.includes(secrets.namespace)) {
        return {
          json: { ...(reply.json as Record<string, unknown>), analysis: `The logs show the token ${secret} in clear.` },
        };
      }
      return reply;
    },
  });
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
});

async function measure(scenario: Scenario): Promise<Answer> {
  const { status, json } = await postJson(`${service.url}/a2a/analyze`, pluginRequestBody(scenario));
  expect(status).toBe(200);
  return json as unknown as Answer;
}

describe('a rollout measured again', () => {
  it('says "seen in the previous measurement" when its canary already failed once', async () => {
    const first = await measure(panic);
    expect(first.promote).toBe(false);
    expect(first.evidence.history).toBeUndefined();
    expect(first.evidence.findings.some((f) => f.history !== undefined)).toBe(false);

    const second = await measure(panic);
    expect(second.promote).toBe(false);
    const hard = second.evidence.findings.filter((f) => f.hard);
    expect(hard.length).toBeGreaterThan(0);
    for (const f of hard) expect(f.history).toBe('seen in the previous measurement');
    expect(second.evidence.history?.earlierMeasurements).toBe(1);
    expect(second.evidence.history?.seenInPreviousMeasurement).toEqual(expect.arrayContaining(hard.map((f) => f.id)));
    expect(second.evidence.history?.canaryErrorRateTrend).toHaveLength(2);
    expect(second.analysis).toContain('seen in the previous measurement');
    // The model was told too, next to the item it can cite.
    const prompt = gemini.requests.at(-1)!.prompt;
    expect(prompt).toMatch(
      new RegExp(
        `\\[${hard[0]!.id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\][^\\n]*\\(seen in the previous measurement\\)`,
      ),
    );
    expect(prompt).toContain('History: The previous measurement of this rollout');
  });

  it('says "new since the last one" for problems the previous measurement did not show, and trends the error rate', async () => {
    const before = await measure(healthy);
    expect(before.promote).toBe(true);
    kube.kube.loadScenarios([panicking]);
    try {
      const after = await measure(panicking);
      expect(after.promote).toBe(false);
      const hard = after.evidence.findings.filter((f) => f.hard && f.id.startsWith('log:'));
      expect(hard.length).toBeGreaterThan(0);
      for (const f of hard) expect(f.history).toBe('new since the last one');
      const trend = after.evidence.history!.canaryErrorRateTrend;
      expect(trend.length).toBe(2);
      expect(trend[1]!).toBeGreaterThan(trend[0]!);
      expect(after.analysis).toContain('new since the last one');
    } finally {
      kube.kube.loadScenarios([healthy]);
    }
  });

  it("shows the rollout's measurements on its /ui page, newest marked", async () => {
    const list = await (await fetch(`${service.url}/ui?namespace=${panic.namespace}`)).text();
    const ids = [...list.matchAll(/href="\/ui\/analyses\/([^"]+)"/g)].map((m) => m[1]!);
    expect(ids.length).toBe(2);
    const page = await (await fetch(`${service.url}/ui/analyses/${ids[0]}`)).text();
    expect(page.match(/<tr class="current">/g)?.length).toBe(1);
    expect(page).toContain('seen in the previous measurement');
    expect([...page.matchAll(/href="\/ui\/analyses\//g)].length).toBeGreaterThanOrEqual(2);
  });
});

describe('secrets stay out of the history', () => {
  it("keeps planted credentials out of the stored analysis, its prompt and the model's echo of them", async () => {
    await measure(secrets);
    const list = await (await fetch(`${service.url}/ui?namespace=${secrets.namespace}`)).text();
    const id = /href="\/ui\/analyses\/([^"]+)"/.exec(list)?.[1];
    expect(id).toBeDefined();
    const page = await (await fetch(`${service.url}/ui/analyses/${id}`)).text();
    expect(page).toContain('id="prompt"');
    expect(page).toContain('The logs show the token');
    for (const secret of Object.values(plantedSecrets)) {
      expect(page).not.toContain(secret);
      expect(list).not.toContain(secret);
    }
  });
});
