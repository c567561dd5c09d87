/**
 * Verdicts as Kubernetes Events, against the built service on the fake API server: every entry point leaves its
 * verdict on the Rollout (reason AnalysisPromote / AnalysisReject / AnalysisInconclusive, Warning for reject), a
 * repeated identical verdict updates one Event's count, and `kubectl describe rollout` shows it.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inconclusiveScenarios, pluginRequestBody, scenarioById, type Scenario } from '@aiops/testkit';
import { startKubeFixture, type KubeFixture } from '../support/fakes.js';
import { postJson, startServiceProcess, type ServiceProcess } from '../support/service-process.js';

const execFileAsync = promisify(execFile);
const panic = scenarioById('go-panic')!;
const healthy = scenarioById('healthy')!;
const thin = inconclusiveScenarios.find((s) => s.expected.inconclusive?.kind === 'thin')!;

let kube: KubeFixture;
let service: ServiceProcess;
let dir: string;
beforeAll(async () => {
  kube = await startKubeFixture([panic, healthy, thin]);
  service = await startServiceProcess({ ...kube.env, LLM_PROVIDER: 'none' });
  dir = await mkdtemp(join(tmpdir(), 'aiops-kubectl-'));
});
afterAll(async () => {
  await service.stop();
  await kube.close();
  await rm(dir, { recursive: true, force: true });
});

const ours = (scenario: Scenario) =>
  kube.kube.events(scenario.namespace).filter((e) => String(e.reason).startsWith('Analysis')) as Array<
    Record<string, unknown>
  >;

const webBody = (scenario: Scenario) => ({ namespace: scenario.namespace, rolloutName: scenario.rolloutName });

describe('verdict Events', () => {
  it('a repeated reject leaves one Warning Event on the Rollout whose count grows', async () => {
    for (let i = 0; i < 3; i++) {
      const { status, json } = await postJson(`${service.url}/web/analyze`, {
        ...webBody(panic),
        canarySelector: panic.canarySelector,
      });
      expect(status).toBe(200);
      expect(json.verdict).toBe('reject');
    }
    await expect.poll(() => ours(panic).map((e) => e.count)).toEqual([3]);
    expect(ours(panic)[0]).toMatchObject({
      type: 'Warning',
      reason: 'AnalysisReject',
      involvedObject: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: panic.rolloutName },
    });
    expect(String(ours(panic)[0]?.message)).toMatch(/^Do not promote \(confidence 95\): .*nil pointer/);
  });

  it('the plugin route leaves AnalysisPromote, thin evidence AnalysisInconclusive (Normal)', async () => {
    expect((await postJson(`${service.url}/a2a/analyze`, pluginRequestBody(healthy))).status).toBe(200);
    expect((await postJson(`${service.url}/web/analyze`, webBody(thin))).json.verdict).toBe('inconclusive');
    await expect.poll(() => ours(healthy).map((e) => [e.type, e.reason])).toEqual([['Normal', 'AnalysisPromote']]);
    await expect.poll(() => ours(thin).map((e) => [e.type, e.reason])).toEqual([['Normal', 'AnalysisInconclusive']]);
    expect(String(ours(thin)[0]?.message)).toMatch(/^Inconclusive: /);
  });

  it('kubectl describe rollout shows the verdict Event with its count', async () => {
    await expect.poll(() => ours(panic).length).toBe(1);
    const { stdout } = await execFileAsync(
      'kubectl',
      [
        '--kubeconfig',
        kube.kubeconfig,
        '--cache-dir',
        join(dir, 'cache'),
        '--request-timeout=5s',
        'describe',
        'rollouts.argoproj.io',
        panic.rolloutName,
        '-n',
        panic.namespace,
      ],
      { timeout: 20_000, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir } },
    );
    expect(stdout).toMatch(/^Events:/m);
    expect(stdout).toMatch(
      /Warning\s+AnalysisReject\s+.*\(x3 over .*\)\s+aiops-agent\s+Do not promote \(confidence 95\)/,
    );
  });
});
