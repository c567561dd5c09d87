import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scenarioById, scenarios, startFakeKubeApi, type FakeKubeApi } from '@aiops/testkit';

const execFileAsync = promisify(execFile);

let api: FakeKubeApi;
let dir: string;
let kubeconfig: string;

/** Runs kubectl against the fake; async so the fake (same process) keeps serving. */
async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync(
    'kubectl',
    ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), '--request-timeout=5s', ...args],
    {
      timeout: 20_000,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir },
    },
  );
  return stdout;
}

beforeAll(async () => {
  api = await startFakeKubeApi({ scenarios });
  dir = await mkdtemp(join(tmpdir(), 'kubectl-'));
  kubeconfig = await api.writeKubeconfig(dir);
});

afterAll(async () => {
  await api.close();
  await rm(dir, { recursive: true, force: true });
});

describe('kubectl against the fake Kubernetes API server', () => {
  it('get pods prints the STATUS column as the real server computes it', async () => {
    const crash = await kubectl('get', 'pods', '-n', 'scn-crashloop-previous');
    expect(crash).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE/m);
    expect(crash).toMatch(/orders-\S+\s+0\/1\s+CrashLoopBackOff\s+5\s/);
    expect(crash).toMatch(/orders-\S+\s+1\/1\s+Running\s+0\s/);

    const pull = await kubectl('get', 'pods', '-n', 'scn-image-pull', '-l', 'role=canary');
    expect(pull).toMatch(/payments-\S+\s+0\/1\s+ImagePullBackOff\s+0\s/);
    expect(pull).not.toMatch(/Running/);

    const custom = await kubectl('get', 'pods', '-n', 'scn-go-panic', '-l', 'app=cart,track in (canary)', '-o', 'wide');
    expect(custom.trim().split('\n')).toHaveLength(2);
    expect(custom).toMatch(/cart-\S+\s+2\/2\s+Running/);
  });

  it("logs --previous shows the previous container's output", async () => {
    const scenario = scenarioById('crashloop-previous')!;
    const pod = scenario.pods.find((p) => p.side === 'canary')!;
    const previous = await kubectl('logs', '-n', scenario.namespace, pod.name, '-c', 'orders', '--previous');
    expect(previous).toContain('FATAL: missing required environment variable DATABASE_URL');
    const current = await kubectl('logs', '-n', scenario.namespace, pod.name, '-c', 'orders', '--tail=5');
    expect(current).not.toContain('DATABASE_URL');
  });

  it('logs reports the real error for a container that never started', async () => {
    const scenario = scenarioById('image-pull')!;
    const pod = scenario.pods.find((p) => p.side === 'canary')!;
    const error = await kubectl('logs', '-n', scenario.namespace, pod.name, '-c', 'payments').catch(
      (e: unknown) => e as { stderr: string },
    );
    expect(typeof error === 'object' && 'stderr' in error ? error.stderr : '').toMatch(
      /is waiting to start: trying and failing to pull image/,
    );
  });

  it('get events prints the warnings about the image', async () => {
    const events = await kubectl('get', 'events', '-n', 'scn-image-pull');
    expect(events).toMatch(/^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE/m);
    expect(events).toMatch(
      /Warning\s+Failed\s+pod\/payments-\S+\s+Failed to pull image "ghcr.io\/acme\/payments:2.8.0"/,
    );
  });

  it('get rollouts.argoproj.io -o json returns the Rollout object', async () => {
    const json = JSON.parse(
      await kubectl('get', 'rollouts.argoproj.io', 'cart', '-n', 'scn-go-panic', '-o', 'json'),
    ) as {
      kind: string;
      metadata: { annotations: Record<string, string> };
      status: { currentPodHash: string; canary: { weights: { canary: { weight: number } } } };
    };
    const rollout = scenarioById('go-panic')!.rollout!;
    expect(json.kind).toBe('Rollout');
    expect(json.metadata.annotations['rollout.argoproj.io/revision']).toBe(rollout.revision);
    expect(json.status.currentPodHash).toBe(rollout.canaryPodHash);
    expect(json.status.canary.weights.canary.weight).toBe(rollout.canaryWeight);
  });

  it('get rollouts reports NotFound the way the real API does', async () => {
    const error = await kubectl('get', 'rollouts.argoproj.io', 'shipping', '-n', 'scn-no-rollout-object').catch(
      (e: unknown) => e as { stderr: string },
    );
    expect(typeof error === 'object' && 'stderr' in error ? error.stderr : '').toContain(
      'rollouts.argoproj.io "shipping" not found',
    );
  });

  it('records every request kubectl made', () => {
    const paths = new Set(api.requests.map((r) => r.path));
    expect(paths.has('/api/v1/namespaces/scn-crashloop-previous/pods')).toBe(true);
    expect([...paths].some((p) => p.endsWith('/log'))).toBe(true);
    expect(paths.has('/apis/argoproj.io/v1alpha1/namespaces/scn-go-panic/rollouts/cart')).toBe(true);
  });
});
