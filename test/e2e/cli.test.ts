/**
 * `aiops-agent analyze` (the built CLI, apps/agent/dist/cli.js) against the fake Kubernetes API server through a
 * kubeconfig file, compared with the built service's `/a2a/analyze` on the same fakes: the same verdict for every
 * corpus scenario.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pluginRequestBody, scenarioById, scenarios, type Scenario } from '@aiops/testkit';
import { startKubeFixture, type KubeFixture } from '../support/fakes.js';
import { postJson, startServiceProcess, type ServiceProcess } from '../support/service-process.js';

const CLI = fileURLToPath(new URL('../../apps/agent/dist/cli.js', import.meta.url));
const run = promisify(execFile);

let kube: KubeFixture;
let service: ServiceProcess;
beforeAll(async () => {
  kube = await startKubeFixture();
  service = await startServiceProcess({ ...kube.env, LLM_PROVIDER: 'none' });
});
afterAll(async () => {
  await service.stop();
  await kube.close();
});

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', ...kube.env, LOG_LEVEL: 'warn' },
      timeout: 90_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

function cliArgs(s: Scenario): string[] {
  return [
    'analyze',
    '-n',
    s.namespace,
    s.rolloutName,
    '--canary-selector',
    s.canarySelector ?? 'role=canary',
    '--stable-selector',
    s.stableSelector ?? 'role=stable',
    ...(s.extraPrompt ? ['--extra-prompt', s.extraPrompt] : []),
  ];
}

describe('aiops-agent analyze prints the same verdict as /a2a/analyze', () => {
  it('for every corpus scenario', async () => {
    const mismatches: string[] = [];
    const queue = [...scenarios];
    // Two at a time: each CLI run is its own node process.
    const worker = async () => {
      for (let s = queue.shift(); s; s = queue.shift()) {
        const [viaCli, viaService] = await Promise.all([
          cli([...cliArgs(s), '--json', '--no-model']),
          postJson(`${service.url}/a2a/analyze`, pluginRequestBody(s)),
        ]);
        const answer = JSON.parse(viaCli.stdout) as Record<string, unknown>;
        if (viaService.status !== 200) {
          // Nothing to judge: the service answers without `promote`, the CLI says so with exit code 4.
          if (viaCli.code !== 4 || answer.outcome !== 'inconclusive')
            mismatches.push(`${s.id}: service HTTP ${viaService.status}, cli exit ${viaCli.code}`);
          continue;
        }
        expect(viaCli.code, `${s.id}: ${viaCli.stderr}`).toBe(answer.promote ? 0 : 1);
        const pick = (a: Record<string, unknown>) => ({
          promote: a.promote,
          confidence: a.confidence,
          decidedBy: a.decidedBy,
          rootCause: a.rootCause,
        });
        if (JSON.stringify(pick(answer)) !== JSON.stringify(pick(viaService.json)))
          mismatches.push(
            `${s.id}: cli ${JSON.stringify(pick(answer))} vs service ${JSON.stringify(pick(viaService.json))}`,
          );
      }
    };
    await Promise.all([worker(), worker()]);
    expect(mismatches).toEqual([]);
  }, 600_000);

  it('prints the evidence tables and the verdict as text', async () => {
    const panic = scenarioById('go-panic')!;
    const { code, stdout } = await cli([...cliArgs(panic), '--no-model']);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^Findings$/m);
    expect(stdout).toMatch(/^Log signatures, canary vs stable/m);
    expect(stdout).toMatch(/^Metric comparisons \(prometheus\)$/m);
    expect(stdout).toMatch(/^Verdict: REJECT \(confidence \d+, decided by evidence\)$/m);
    expect(stdout).toContain('nil pointer');
  }, 120_000);

  it('names a missing namespace and a bad selector, with exit code 2', async () => {
    const missing = await cli(['analyze', 'checkout']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('-n <namespace> is required');
    const bad = await cli(['analyze', '-n', 'shop', 'checkout', '--canary-selector', 'role in (x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('context.canarySelector');
  }, 120_000);
});
