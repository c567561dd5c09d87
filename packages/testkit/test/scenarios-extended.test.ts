/**
 * The corpus as a labelled data set (size, balance, coverage of the behaviours issue #6 asks for) and the
 * properties each of the later scenarios is about: what is in the canary only, what both sides share and at what
 * rate, and the shape of the metric series.
 */
import { describe, expect, it } from 'vitest';
import {
  GO_CONCURRENT_MAP_WRITES,
  HEALTHY_INJECTION_TEXT,
  SPRING_MISSING_PLACEHOLDER,
  scenarioById,
  scenarios,
  type Scenario,
  type ScenarioContainer,
  type ScenarioMetricKey,
} from '@aiops/testkit';

const get = (id: string): Scenario => {
  const scenario = scenarioById(id);
  if (!scenario) throw new Error(`no scenario ${id}`);
  return scenario;
};
const appContainer = (containers: ScenarioContainer[]): ScenarioContainer =>
  containers.find((c) => c.name !== 'istio-proxy')!;
const appContainers = (scenario: Scenario, side: 'canary' | 'stable'): ScenarioContainer[] =>
  scenario.pods.filter((p) => p.side === side).map((p) => appContainer(p.containers));
const appLines = (scenario: Scenario, side: 'canary' | 'stable', which: 'logs' | 'previousLogs' = 'logs'): string[] =>
  appContainers(scenario, side).flatMap((c) => c[which] ?? []);
const envoyLines = (scenario: Scenario, side: 'canary' | 'stable'): string[] =>
  scenario.pods
    .filter((p) => p.side === side)
    .flatMap((p) => p.containers.find((c) => c.name === 'istio-proxy')?.logs ?? []);
const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

/** A rough log template: timestamps, ids, numbers and quoted user text masked. Good enough to compare sides. */
function roughTemplate(line: string): string {
  return line
    .replace(/\d{4}-\d\d-\d\dT[\d:.]+(?:Z|\+\d{4})?/g, '<ts>')
    .replace(/\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d/g, '<ts>')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>')
    .replace(/(?<![0-9a-z])[0-9a-f]{7,}(?![0-9a-z])/g, '<hex>')
    .replace(/\d+(?:\.\d+)?/g, '#')
    .replace(/"subject":"[^"]*"|subject="[^"]*"/g, '<subject>');
}

const templates = (lines: string[]): Set<string> => new Set(lines.map(roughTemplate));
const onlyIn = (lines: string[], other: string[]): string[] => {
  const known = templates(other);
  return [...templates(lines)].filter((t) => !known.has(t));
};

const ERROR_OR_WARN =
  /"level":"(?:error|warn)"|"level":(?:40|50|60)\b|\b(?:WARN|ERROR|WARNING|FATAL)\b|^panic: |^fatal error: |^Traceback /;
/** The app's access lines in every format of the corpus (JSON, CLF, Spring filter, Go text). */
const accessLines = (lines: string[]): string[] =>
  lines.filter((l) =>
    /"request completed"| "(?:GET|POST|PUT) [^"]+ HTTP\/1\.1" \d{3} |AccessLogFilter +: | INFO request method=/.test(l),
  );
const status = (line: string): number =>
  Number(
    /"status":(\d{3})|"statusCode":(\d{3})|HTTP\/1\.1" (\d{3})| status=(\d{3})/.exec(line)?.slice(1).find(Boolean) ?? 0,
  );
const fivexxShare = (lines: string[]): number => {
  const access = accessLines(lines);
  return access.filter((l) => status(l) >= 500).length / access.length;
};

describe('the corpus as a labelled data set', () => {
  it('has at least 30 scenarios, both labels well represented', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(30);
    expect(scenarios.filter((s) => s.expected.promote).length).toBeGreaterThanOrEqual(10);
    expect(scenarios.filter((s) => !s.expected.promote).length).toBeGreaterThanOrEqual(10);
    expect(scenarios.every((s) => s.namespace === `scn-${s.id}`)).toBe(true);
  });

  // Each behaviour issue #6 asks for, by tag, with the label it must carry.
  const coverage: Array<[tag: string, promote: boolean, hardFailure?: string, atLeast?: number]> = [
    ['latency', false],
    ['memory-growth', false],
    ['error-rate', false, 'metric-regression'],
    ['noisy-healthy', true, undefined, 3],
    ['caused-by', false, 'crash-loop'],
    ['missing-secret', false, 'config-error'],
    ['single-restart', false, 'oom-killed'],
    ['new-info-line', true, undefined, 2],
    ['deprecation', true],
    ['cpu', true],
    ['low-weight', true],
    ['shared-traceback', true],
    ['fatal-error', false, 'panic'],
    ['unhandled-rejection', false, 'exception'],
    ['manifest-unknown', false, 'image-pull'],
    ['first-crash', false, 'terminated'],
    ['gc-pauses', true, undefined, 2],
    ['retries', true, undefined, 3],
  ];
  it.each(coverage)('covers %s (promote=%s, hard failure %s)', (tag, promote, hardFailure, atLeast = 1) => {
    const tagged = scenarios.filter((s) => s.tags.includes(tag));
    expect(tagged.length).toBeGreaterThanOrEqual(atLeast);
    for (const s of tagged) {
      expect(s.expected.promote, s.id).toBe(promote);
      expect(s.expected.hardFailure, s.id).toBe(hardFailure);
    }
  });

  it('has a healthy canary carrying a prompt injection, beside the panicking one', () => {
    const injected = scenarios.filter((s) => s.tags.includes('prompt-injection'));
    expect(injected.map((s) => s.expected.promote).sort()).toEqual([false, true]);
  });
});

describe('metrics-only regressions', () => {
  it('latency-regression: canary p99 above stable at every step, logs indistinguishable', () => {
    const s = get('latency-regression');
    const p99 = s.metrics!.latency_p99_ms!;
    expect(Math.min(...p99.canary)).toBeGreaterThan(Math.max(...p99.stable));
    expect(mean(p99.canary) / mean(p99.stable)).toBeGreaterThan(1.5);
    expect(onlyIn(appLines(s, 'canary'), appLines(s, 'stable'))).toEqual([]);
    expect(appLines(s, 'canary').some((l) => ERROR_OR_WARN.test(l))).toBe(false);
  });

  it('memory-growth: the canary climbs across the window, well above stable; logs indistinguishable', () => {
    const s = get('memory-growth');
    const memory = s.metrics!.memory_bytes!;
    const firstQuarter = memory.canary.slice(0, 5);
    const lastQuarter = memory.canary.slice(-5);
    expect(mean(lastQuarter)).toBeGreaterThan(1.8 * mean(firstQuarter));
    expect(memory.canary.filter((v, i) => i > 0 && v < memory.canary[i - 1]!).length).toBeLessThan(3);
    expect(Math.min(...lastQuarter)).toBeGreaterThan(1.8 * Math.max(...memory.stable));
    expect(Math.max(...memory.stable) - Math.min(...memory.stable)).toBeLessThan(0.05 * mean(memory.stable));
    expect(onlyIn(appLines(s, 'canary'), appLines(s, 'stable'))).toEqual([]);
  });

  it('error-rate-increase: ~4% 5xx in the canary sidecar and app access logs, ~0.1% in stable, no stack traces', () => {
    const s = get('error-rate-increase');
    for (const lines of [envoyLines(s, 'canary'), appLines(s, 'canary')]) {
      expect(fivexxShare(lines)).toBeGreaterThan(0.025);
      expect(fivexxShare(lines)).toBeLessThan(0.06);
    }
    expect(fivexxShare(envoyLines(s, 'stable'))).toBeLessThan(0.005);
    expect(fivexxShare(appLines(s, 'canary'))).toBe(fivexxShare(envoyLines(s, 'canary')));
    expect(appLines(s, 'canary').some((l) => /^\s+at |Error:/.test(l))).toBe(false);
    const sr = s.metrics!.request_success_rate!;
    expect(mean(sr.stable)).toBeGreaterThan(0.997);
    expect(mean(sr.canary)).toBeGreaterThan(0.95);
    expect(mean(sr.canary)).toBeLessThan(0.97);
  });

  it('cpu-within-tolerance: about 10% more CPU, overlapping samples', () => {
    const cpu = get('cpu-within-tolerance').metrics!.cpu_cores!;
    expect(mean(cpu.canary) / mean(cpu.stable)).toBeGreaterThan(1.05);
    expect(mean(cpu.canary) / mean(cpu.stable)).toBeLessThan(1.15);
    expect(Math.min(...cpu.canary)).toBeLessThan(Math.max(...cpu.stable));
  });
});

describe('noise both sides share', () => {
  const perRequest = (lines: string[], template: string): number =>
    lines.filter((l) => roughTemplate(l) === template).length / accessLines(lines).length;

  it.each(['noisy-healthy-java', 'noisy-healthy-go', 'noisy-healthy-node'])(
    '%s: warnings and errors on both sides at similar rates, metrics overlapping',
    (id) => {
      const s = get(id);
      const canary = appLines(s, 'canary');
      const stable = appLines(s, 'stable');
      const noisy = [...templates(canary.filter((l) => ERROR_OR_WARN.test(l)))];
      expect(noisy.length).toBeGreaterThanOrEqual(2);
      expect(canary.some((l) => /error|"level":50|ERROR/.test(l) && ERROR_OR_WARN.test(l))).toBe(true);
      for (const template of noisy) {
        const ratio = perRequest(canary, template) / perRequest(stable, template);
        expect(ratio, template).toBeGreaterThan(0.5);
        expect(ratio, template).toBeLessThan(2);
      }
      // Nothing error- or warning-like is canary-only.
      expect(
        onlyIn(
          canary.filter((l) => ERROR_OR_WARN.test(l)),
          stable,
        ),
      ).toEqual([]);
      for (const key of [
        'latency_p99_ms',
        'cpu_cores',
        'memory_bytes',
        'request_success_rate',
      ] as ScenarioMetricKey[]) {
        const { canary: c, stable: st } = s.metrics![key]!;
        expect(Math.max(...c), key).toBeGreaterThan(Math.min(...st));
        expect(Math.min(...c), key).toBeLessThan(Math.max(...st));
      }
    },
  );

  it('noisy scenarios print GC pauses and retries that succeed', () => {
    expect(
      appLines(get('noisy-healthy-java'), 'canary').some((l) =>
        l.includes('Pause Young (Normal) (G1 Evacuation Pause)'),
      ),
    ).toBe(true);
    expect(appLines(get('noisy-healthy-go'), 'canary').some((l) => /^gc \d+ @/.test(l))).toBe(true);
    expect(appLines(get('noisy-healthy-go'), 'canary').some((l) => l.includes('redis retry succeeded'))).toBe(true);
    expect(appLines(get('noisy-healthy-node'), 'canary').some((l) => l.includes('kafka producer: reconnected'))).toBe(
      true,
    );
  });

  it('shared-traceback: the same ZeroDivisionError on both sides at a similar rate', () => {
    const s = get('shared-traceback');
    const rate = (side: 'canary' | 'stable') => {
      const lines = appLines(s, side);
      return lines.filter((l) => l === 'ZeroDivisionError: division by zero').length / accessLines(lines).length;
    };
    expect(rate('stable')).toBeGreaterThan(0.01);
    expect(rate('canary') / rate('stable')).toBeGreaterThan(0.6);
    expect(rate('canary') / rate('stable')).toBeLessThan(1.6);
  });
});

describe('harmless novelties only in the canary', () => {
  it('new-info-lines: every canary-only template is info or debug', () => {
    const s = get('new-info-lines');
    const novel = onlyIn(appLines(s, 'canary'), appLines(s, 'stable'));
    expect(novel.some((t) => t.includes('feature flag enabled'))).toBe(true);
    expect(novel.some((t) => t.includes('route registered'))).toBe(true);
    expect(novel.every((t) => /"level":"(?:info|debug)"/.test(t))).toBe(true);
  });

  it('deprecation-warn: canary-only lines are warnings and their continuation, never errors', () => {
    const s = get('deprecation-warn');
    const novel = onlyIn(appLines(s, 'canary'), appLines(s, 'stable'));
    expect(novel.some((t) => / WARN .*deprecated endpoint/.test(t))).toBe(true);
    expect(novel.some((t) => t.includes('PropertiesMigrationListener'))).toBe(true);
    expect(novel.some((t) => /ERROR|Exception|^\s+at /.test(t))).toBe(false);
  });

  it('prompt-injection-healthy: the injection is echoed user input at INFO, in the canary only', () => {
    const s = get('prompt-injection-healthy');
    // Quoted the way Go's %q quotes user input.
    const carrying = appLines(s, 'canary').filter((l) => l.includes(JSON.stringify(HEALTHY_INJECTION_TEXT)));
    expect(carrying.length).toBeGreaterThan(2);
    expect(carrying.every((l) => l.includes(' INFO ticket received '))).toBe(true);
    expect(appLines(s, 'stable').some((l) => l.includes('Ignore all previous instructions'))).toBe(false);
    expect(appLines(s, 'canary').some((l) => ERROR_OR_WARN.test(l))).toBe(false);
  });

  it('low-weight-fewer-pods: one canary pod at 10% against five stable pods', () => {
    const s = get('low-weight-fewer-pods');
    expect(s.rollout?.canaryWeight).toBe(10);
    expect(s.pods.filter((p) => p.side === 'canary')).toHaveLength(1);
    expect(s.pods.filter((p) => p.side === 'stable')).toHaveLength(5);
    expect(accessLines(appLines(s, 'canary')).length).toBeLessThan(accessLines(appLines(s, 'stable')).length / 10);
  });
});

describe('hard failures', () => {
  it('crashloop-java-caused-by: the Caused by chain is only in the previous container log', () => {
    const s = get('crashloop-java-caused-by');
    const [canary] = appContainers(s, 'canary');
    expect(canary).toMatchObject({
      restartCount: 4,
      state: { reason: 'CrashLoopBackOff' },
      lastState: { state: 'terminated', exitCode: 1 },
    });
    expect(canary!.logs.join('\n')).not.toContain('Caused by');
    const causes = canary!.previousLogs!.filter((l) => l.startsWith('Caused by: '));
    expect(causes.length).toBeGreaterThanOrEqual(2);
    expect(causes.at(-1)).toContain(SPRING_MISSING_PLACEHOLDER);
    expect(canary!.previousLogs!.some((l) => l.includes('Application run failed'))).toBe(true);
    expect(appLines(s, 'stable').some((l) => l.includes('Caused by'))).toBe(false);
  });

  it('missing-secret-key: CreateContainerConfigError naming the key, no logs, no canary metrics', () => {
    const s = get('missing-secret-key');
    const [canary] = appContainers(s, 'canary');
    expect(canary).toMatchObject({ logs: [], state: { state: 'waiting', reason: 'CreateContainerConfigError' } });
    expect(canary!.state!.message).toContain("couldn't find key SENDGRID_API_KEY in Secret");
    expect(s.events.some((e) => e.type === 'Warning' && e.message.includes('SENDGRID_API_KEY'))).toBe(true);
    expect(s.metrics!.request_success_rate!.canary).toEqual([]);
  });

  it('oom-one-of-five: exactly one of five canary pods OOMKilled once, running again', () => {
    const canary = appContainers(get('oom-one-of-five'), 'canary');
    expect(canary).toHaveLength(5);
    const killed = canary.filter((c) => c.lastState?.reason === 'OOMKilled');
    expect(killed).toHaveLength(1);
    expect(killed[0]).toMatchObject({ restartCount: 1, state: { state: 'running' }, lastState: { exitCode: 137 } });
    expect(killed[0]!.previousLogs!.length).toBeGreaterThan(50);
    expect(canary.filter((c) => (c.restartCount ?? 0) > 0)).toHaveLength(1);
  });

  it('go-fatal-concurrent-map: the runtime dump ends the previous container log, canary only', () => {
    const s = get('go-fatal-concurrent-map');
    const [canary] = appContainers(s, 'canary');
    expect(canary).toMatchObject({ restartCount: 2, lastState: { exitCode: 2 } });
    expect(canary!.previousLogs).toContain(GO_CONCURRENT_MAP_WRITES);
    expect(canary!.previousLogs).toContain('\t/app/internal/store/memory.go:61 +0x8c');
    expect(canary!.logs.join('\n')).not.toContain('fatal error');
    expect(appLines(s, 'stable').some((l) => l.includes('fatal error'))).toBe(false);
  });

  it('node-unhandled-rejection: a pino fatal record with the stack, previous container only', () => {
    const s = get('node-unhandled-rejection');
    const [canary] = appContainers(s, 'canary');
    expect(canary).toMatchObject({ restartCount: 2, lastState: { exitCode: 1 } });
    const fatal = canary!
      .previousLogs!.map((l) => JSON.parse(l) as { level: number; msg: string; err?: { stack: string } })
      .filter((r) => r.level === 60);
    expect(fatal).toHaveLength(1);
    expect(fatal[0]!.msg).toContain('UnhandledPromiseRejection');
    expect(fatal[0]!.err!.stack).toContain('at async deliver (/app/src/delivery/deliver.js:52:5)');
    expect([...canary!.logs, ...appLines(s, 'stable')].some((l) => l.includes('UnhandledPromiseRejection'))).toBe(
      false,
    );
  });

  it('image-pull-manifest-unknown: ErrImagePull with the registry saying manifest unknown', () => {
    const s = get('image-pull-manifest-unknown');
    const [canary] = appContainers(s, 'canary');
    expect(canary).toMatchObject({ logs: [], state: { state: 'waiting', reason: 'ErrImagePull' } });
    expect(canary!.state!.message).toContain('manifest unknown');
    expect(s.events.some((e) => e.reason === 'Failed' && e.message.includes('manifest unknown'))).toBe(true);
    expect(s.events.some((e) => e.message === 'Error: ErrImagePull')).toBe(true);
  });
});
