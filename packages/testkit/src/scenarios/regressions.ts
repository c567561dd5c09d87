/**
 * Scenarios where the numbers decide: regressions that only Prometheus shows (latency, memory), an error rate a few
 * percent worse (Prometheus and the access logs agree), and a CPU increase small enough to promote.
 */
import type { Scenario, ScenarioMetricSeries } from '../scenario.js';
import { app, routes } from './apps.js';
import { buildPods, healthyMetrics, rolloutEvents, rolloutFor, series } from './build.js';
import { createRng } from './random.js';

/** A canary series that climbs steadily from `canaryStart` to `canaryEnd` (a leak) beside a flat stable one. */
export function climbingSeries(
  seed: string,
  stableMean: number,
  canaryStart: number,
  canaryEnd: number,
  jitter: number,
  steps = 20,
): ScenarioMetricSeries {
  const rng = createRng(`${seed}/metrics`);
  const noise = (): number => (rng.next() * 2 - 1) * jitter;
  const stable = Array.from({ length: steps }, () => Number((stableMean + noise()).toFixed(4)));
  const canary = Array.from({ length: steps }, (_v, i) =>
    Number((canaryStart + ((canaryEnd - canaryStart) * i) / (steps - 1) + noise()).toFixed(4)),
  );
  return { stable, canary };
}

function latencyRegression(): Scenario {
  const a = app('pricing', 'go-json', '4.8.2', '4.9.0', routes.catalog);
  const pods = buildPods('latency-regression', a, {
    stable: { count: 2, mesh: true },
    canary: { count: 1, mesh: true },
  });
  return {
    id: 'latency-regression',
    title: 'p99 latency regression visible only in metrics',
    description:
      "The canary answers every request correctly and logs exactly what stable logs, but its p99 latency is almost twice stable's over the whole window (a slow path on the tail that the access-log sample does not show).",
    namespace: 'scn-latency-regression',
    rolloutName: a.name,
    rollout: rolloutFor(pods, '33', 20),
    pods: pods.pods,
    events: rolloutEvents(a.name, '33', pods),
    metrics: {
      ...healthyMetrics('latency-regression'),
      latency_p99_ms: series('latency-regression/p99', 180, 345, 18),
    },
    expected: { promote: false, rootCauseMentions: ['latency_p99_ms'] },
    tags: ['metric-regression', 'latency', 'metrics-only', 'clean-logs', 'soft-regression', 'go', 'json-logs', 'istio'],
  };
}

function memoryGrowth(): Scenario {
  const a = app('ledger', 'java-spring', '2.11.0', '2.12.0', routes.billing);
  const pods = buildPods('memory-growth', a, { stable: { count: 2 }, canary: { count: 1 } });
  return {
    id: 'memory-growth',
    title: 'Memory growing across the window, logs clean',
    description:
      "The canary's working set climbs from about stable's level to more than twice it over the analysis window (a cache without eviction); it has not hit its limit yet and logs nothing unusual.",
    namespace: 'scn-memory-growth',
    rolloutName: a.name,
    rollout: rolloutFor(pods, '19', 20),
    pods: pods.pods,
    events: rolloutEvents(a.name, '19', pods),
    metrics: {
      ...healthyMetrics('memory-growth'),
      memory_bytes: climbingSeries('memory-growth/mem', 410e6, 420e6, 980e6, 8e6),
    },
    expected: { promote: false, rootCauseMentions: ['memory_bytes'] },
    tags: ['metric-regression', 'memory-growth', 'metrics-only', 'clean-logs', 'soft-regression', 'java', 'spring'],
  };
}

function errorRateIncrease(): Scenario {
  const a = app('gateway', 'node-express', '9.2.0', '9.3.0', routes.web);
  // 5xx without a stack trace: the app returns 503 when its new connection pool is exhausted and says nothing else.
  const unavailable = { status: 503, render: () => [] };
  const pods = buildPods('error-rate-increase', a, {
    stable: { count: 2, mesh: true, requests: 400, logs: () => ({ failure: { ...unavailable, rate: 0.001 } }) },
    canary: { count: 1, mesh: true, requests: 600, logs: () => ({ failure: { ...unavailable, rate: 0.04 } }) },
  });
  return {
    id: 'error-rate-increase',
    title: 'Error rate a few percent higher, 503s in the access logs',
    description:
      "About 4% of canary requests get a 503 (stable: about 0.1%). Nothing is logged besides the access lines, in the istio-proxy sidecar and in the app's own access log; the success rate in Prometheus agrees.",
    namespace: 'scn-error-rate-increase',
    rolloutName: a.name,
    rollout: rolloutFor(pods, '61', 20),
    pods: pods.pods,
    events: rolloutEvents(a.name, '61', pods),
    metrics: {
      ...healthyMetrics('error-rate-increase'),
      request_success_rate: series('error-rate-increase/sr', 0.999, 0.96, 0.004),
    },
    expected: { promote: false, hardFailure: 'metric-regression', rootCauseMentions: ['request_success_rate'] },
    tags: ['metric-regression', 'error-rate', 'access-logs', 'node', 'istio'],
  };
}

function cpuWithinTolerance(): Scenario {
  const a = app('quotes', 'go-text', '1.6.3', '1.7.0', routes.cart);
  const pods = buildPods('cpu-within-tolerance', a, { stable: { count: 2 }, canary: { count: 1 } });
  return {
    id: 'cpu-within-tolerance',
    title: 'CPU 10% higher, within tolerance',
    description:
      'The canary uses about 10% more CPU than stable (a new JSON encoder), with overlapping samples; below the 20% effect-size floor.',
    namespace: 'scn-cpu-within-tolerance',
    rolloutName: a.name,
    rollout: rolloutFor(pods, '24', 20),
    pods: pods.pods,
    events: rolloutEvents(a.name, '24', pods),
    metrics: {
      ...healthyMetrics('cpu-within-tolerance'),
      cpu_cores: series('cpu-within-tolerance/cpu', 0.3, 0.33, 0.05),
    },
    expected: { promote: true },
    tags: ['healthy', 'cpu', 'within-tolerance', 'go'],
  };
}

export function regressionScenarios(): Scenario[] {
  return [latencyRegression(), memoryGrowth(), errorRateIncrease(), cpuWithinTolerance()];
}
