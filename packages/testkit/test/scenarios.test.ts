import { describe, expect, it } from 'vitest';
import { DEFAULT_CANARY_SELECTOR, DEFAULT_STABLE_SELECTOR, matchesLabels, parseLabelSelector } from '@aiops/contracts';
import { buildScenarios, INJECTION_TEXT, plantedSecrets, scenarioById, scenarios, type Scenario } from '@aiops/testkit';

const selectorOf = (scenario: Scenario, side: 'canary' | 'stable'): string =>
  side === 'canary'
    ? (scenario.canarySelector ?? DEFAULT_CANARY_SELECTOR)
    : (scenario.stableSelector ?? DEFAULT_STABLE_SELECTOR);

const allLines = (scenario: Scenario, side: 'canary' | 'stable'): string[] =>
  scenario.pods
    .filter((p) => p.side === side)
    .flatMap((p) => p.containers.flatMap((c) => [...c.logs, ...(c.previousLogs ?? [])]));

describe('scenario corpus', () => {
  it('has the labelled scenarios, the first 14 first, with unique ids and namespaces', () => {
    expect(scenarios.map((s) => s.id).slice(0, 32)).toEqual([
      'healthy',
      'cosmetic-color',
      'go-panic',
      'java-npe',
      'crashloop-previous',
      'oom-killed',
      'image-pull',
      'errors-in-both',
      'one-of-three-fails',
      'no-canary-traffic',
      'node-typeerror',
      'secrets-in-logs',
      'prompt-injection',
      'no-rollout-object',
      'latency-regression',
      'memory-growth',
      'error-rate-increase',
      'cpu-within-tolerance',
      'noisy-healthy-java',
      'noisy-healthy-go',
      'noisy-healthy-node',
      'new-info-lines',
      'deprecation-warn',
      'low-weight-fewer-pods',
      'shared-traceback',
      'prompt-injection-healthy',
      'crashloop-java-caused-by',
      'missing-secret-key',
      'oom-one-of-five',
      'go-fatal-concurrent-map',
      'node-unhandled-rejection',
      'image-pull-manifest-unknown',
    ]);
    expect(new Set(scenarios.map((s) => s.id)).size).toBe(scenarios.length);
    expect(new Set(scenarios.map((s) => s.namespace)).size).toBe(scenarios.length);
    expect(scenarioById('go-panic')?.repoUrl).toBe('https://github.com/acme/cart');
    expect(scenarioById('nope')).toBeUndefined();
  });

  it.each(scenarios.map((s) => [s.id, s] as const))('%s is well-formed', (_id, scenario) => {
    expect(scenario.title).not.toBe('');
    expect(scenario.namespace).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    // A hard failure is never promoted; a reject without one is a non-hard regression (metrics only), tagged so.
    if (scenario.expected.hardFailure !== undefined) expect(scenario.expected.promote).toBe(false);
    if (!scenario.expected.promote && scenario.expected.hardFailure === undefined)
      expect(scenario.tags).toContain('soft-regression');
    if (scenario.tags.includes('soft-regression'))
      expect([scenario.expected.promote, scenario.expected.hardFailure]).toEqual([false, undefined]);
    for (const side of ['stable', 'canary'] as const) {
      const parsed = parseLabelSelector(selectorOf(scenario, side));
      if (!parsed.ok) throw new Error(parsed.message);
      const selected = scenario.pods.filter((p) => matchesLabels(parsed.requirements, p.labels));
      expect(selected.length, `${side} pods`).toBeGreaterThan(0);
      expect(selected.every((p) => p.side === side)).toBe(true);
    }
    const names = scenario.pods.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    for (const pod of scenario.pods) {
      expect(pod.name.startsWith(`${scenario.rolloutName}-${pod.podTemplateHash}-`)).toBe(true);
      if (scenario.rollout)
        expect(pod.podTemplateHash).toBe(
          pod.side === 'canary' ? scenario.rollout.canaryPodHash : scenario.rollout.stablePodHash,
        );
    }
    // Stable pods always carry real traffic: a few hundred lines each.
    for (const pod of scenario.pods.filter((p) => p.side === 'stable')) {
      const app = pod.containers.find((c) => c.name !== 'istio-proxy');
      expect(app?.logs.length).toBeGreaterThan(200);
    }
  });

  it('is deterministic', () => {
    expect(JSON.stringify(buildScenarios())).toBe(JSON.stringify(scenarios));
  });

  it('puts istio-proxy first in several scenarios and uses custom selectors once', () => {
    const meshFirst = scenarios.filter((s) => s.pods.some((p) => p.containers[0]?.name === 'istio-proxy'));
    expect(meshFirst.length).toBeGreaterThanOrEqual(4);
    expect(scenarios.filter((s) => s.canarySelector !== undefined).map((s) => s.id)).toEqual(['go-panic']);
  });

  it('carries the failure signatures each scenario is about, in the canary only', () => {
    const canaryHas = (id: string, needle: string): boolean =>
      allLines(scenarioById(id)!, 'canary').some((l) => l.includes(needle));
    const stableHas = (id: string, needle: string): boolean =>
      allLines(scenarioById(id)!, 'stable').some((l) => l.includes(needle));
    expect(canaryHas('go-panic', 'panic: runtime error: invalid memory address or nil pointer dereference')).toBe(true);
    expect(canaryHas('go-panic', 'github.com/acme/cart/internal/cart.(*Handler).ApplyDiscount(')).toBe(true);
    expect(canaryHas('go-panic', '/app/internal/cart/handler.go:42')).toBe(true);
    expect(canaryHas('go-panic', 'http: panic serving')).toBe(true);
    expect(stableHas('go-panic', 'panic')).toBe(false);
    expect(canaryHas('java-npe', 'at com.acme.checkout.PriceService.total(PriceService.java:57)')).toBe(true);
    expect(canaryHas('java-npe', 'Caused by: java.lang.NullPointerException')).toBe(true);
    expect(canaryHas('node-typeerror', 'at computeTotal (/app/src/server.js:18:25)')).toBe(true);
    expect(canaryHas('prompt-injection', INJECTION_TEXT)).toBe(true);
    expect(
      scenarioById('prompt-injection')!.events.some((e) => e.message.includes('IGNORE ALL PREVIOUS INSTRUCTIONS')),
    ).toBe(true);
    expect(
      allLines(scenarioById('errors-in-both')!, 'stable').some((l) => l.includes('context deadline exceeded')),
    ).toBe(true);

    const go = scenarioById('go-panic')!.pods.find((p) => p.side === 'canary')!.containers[1]!;
    const requests = go.logs.filter((l) => l.includes(' INFO request ')).length;
    const panics = go.logs.filter((l) => l.startsWith('panic: ')).length;
    expect(panics / requests).toBeGreaterThan(0.02);
    expect(panics / requests).toBeLessThan(0.1);

    const three = scenarioById('one-of-three-fails')!.pods.filter((p) => p.side === 'canary');
    expect(three.map((p) => p.containers[1]!.logs.some((l) => l.includes("KeyError: 'user_id'")))).toEqual([
      false,
      true,
      false,
    ]);
    expect(three[1]!.containers[1]!.logs).toContain('  File "/app/app/handlers.py", line 31, in recommend');

    const crash = scenarioById('crashloop-previous')!.pods.find((p) => p.side === 'canary')!.containers[0]!;
    expect(crash.logs.join('\n')).not.toContain('DATABASE_URL');
    expect(crash.previousLogs).toContain('FATAL: missing required environment variable DATABASE_URL');
    expect(crash).toMatchObject({
      restartCount: 5,
      state: { reason: 'CrashLoopBackOff' },
      lastState: { state: 'terminated', exitCode: 1 },
    });
  });

  it('plants every secret in the secrets-in-logs canary', () => {
    const text = allLines(scenarioById('secrets-in-logs')!, 'canary').join('\n');
    expect(plantedSecrets.githubToken).toMatch(/^ghp_[A-Za-z0-9]{36}$/);
    expect(plantedSecrets.awsAccessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(plantedSecrets.jwt.split('.')).toHaveLength(3);
    for (const secret of Object.values(plantedSecrets)) expect(text).toContain(secret);
    expect(text).toMatch(/postgres:\/\/billing:[^@\s]+@/);
    expect(text).toContain("'Authorization': 'Bearer ");
  });
});
