/**
 * The corpus' metric profiles as the raw series real exporters expose (canaryOpenMetrics), so that the service's
 * PromQL is evaluated by a real Prometheus over them instead of the fake that hands back the derived numbers.
 * Per scenario, per side and per step (the scenario's i-th sample is the step at `now - window + i * step`, as the
 * fake serves it), the series are shaped so that the istio and pod presets compute about the scenario's values:
 * - request_rate (default DEFAULT_SIDE_REQUESTS_PER_SECOND) is the side's total, shared evenly by its pods;
 *   1 - request_success_rate of the requests are answered 503 (default: none);
 * - latency_p99_ms: buckets shaped so that histogram_quantile(0.99) gives it (default DEFAULT_P99_MS);
 * - cpu_cores and memory_bytes: the app container of every pod of the side (the queries average per pod);
 * - restarts: the query counts increase() over the whole analysis window at every step, so a sample r means "r
 *   restarts in the window ending here": the app container restarts at a rate of r per window (one restart every
 *   window / r seconds), which gives about r at every step of a steady crash loop. They go to the side's pod with the
 *   most container restarts in the scenario (kube-state-metrics still reports 0 for its other pods); the query takes
 *   the max over pods.
 * A metric the scenario has no samples for (absent, or [] for a side) has no series, as in the fake (no data): a
 * canary that never started exports nothing. ingress-nginx series are not made (the scenarios name no Services).
 * Before the window each series holds the first step, after `now` the last one: the run queries at its own clock,
 * somewhat after `now`, and the restarts' increase() and rate() reach back a window before the first step.
 */
import type { Scenario, ScenarioMetricKey, ScenarioPod } from '../scenario.js';
import { canaryOpenMetrics, type PodProfile, type SeriesGroup, type WorkloadSeries } from './canary-series.js';

/** Each side's requests per second when a scenario has no request_rate. */
const DEFAULT_SIDE_REQUESTS_PER_SECOND = 10;
/** p99 when a scenario has traffic but no latency_p99_ms. */
const DEFAULT_P99_MS = 100;
/** Used when a scenario has no cpu_cores or memory_bytes but its pods' other series exist. */
const DEFAULT_CPU_CORES = 0.2;
const DEFAULT_MEMORY_BYTES = 200e6;

export interface CorpusSeriesOptions {
  scenarios: readonly Scenario[];
  /** The time the analyses are expected to query at: the scenarios' last step is one step before it. */
  now: Date;
  /** The service's analysis window (METRICS_WINDOW_SECONDS). Default 600. */
  windowSeconds?: number;
  /** The service's query step. Default 30. */
  stepSeconds?: number;
  /** Data before the window. Default 900: a window for the restarts' increase() at the first step, plus margin. */
  historySeconds?: number;
  /** Data after `now`, holding the last step. Default 900. */
  futureSeconds?: number;
  /** Scrape interval. Default 15. */
  intervalSeconds?: number;
}

const has = (scenario: Scenario, key: ScenarioMetricKey, side: 'canary' | 'stable') =>
  (scenario.metrics?.[key]?.[side].length ?? 0) > 0;

function restartCount(pod: ScenarioPod): number {
  return pod.containers.reduce((sum, c) => sum + (c.restartCount ?? 0), 0);
}

function appContainer(pod: ScenarioPod): string {
  return pod.containers.find((c) => c.name !== 'istio-proxy')?.name ?? 'app';
}

/** The workloads (one per pod, since pods of a side differ in restarts and container names) of one scenario. */
function scenarioWorkloads(scenario: Scenario, options: Omit<CorpusSeriesOptions, 'scenarios'>): WorkloadSeries[] {
  const metrics = scenario.metrics;
  if (metrics === undefined) return [];
  const window = options.windowSeconds ?? 600;
  const step = options.stepSeconds ?? 30;
  const windowStart = Math.floor(options.now.getTime() / 1000) - window;
  const workloads: WorkloadSeries[] = [];
  for (const side of ['canary', 'stable'] as const) {
    const pods = scenario.pods.filter((p) => p.side === side);
    if (pods.length === 0) continue;
    const groups = new Set<SeriesGroup>();
    if (
      ['request_success_rate', 'request_rate', 'latency_p99_ms'].some((k) =>
        has(scenario, k as ScenarioMetricKey, side),
      )
    )
      groups.add('requests');
    if (has(scenario, 'cpu_cores', side)) groups.add('cpu');
    if (has(scenario, 'memory_bytes', side)) groups.add('memory');
    if (has(scenario, 'restarts', side)) groups.add('restarts');
    if (groups.size === 0) continue;
    /** The scenario's sample for the step whose interval holds time t, the first before and the last after. */
    const at = (key: ScenarioMetricKey, t: number, fallback: number): number => {
      const samples = metrics[key]?.[side] ?? [];
      if (samples.length === 0) return fallback;
      const index = Math.min(samples.length - 1, Math.max(0, Math.ceil((t - windowStart) / step)));
      return samples[index]!;
    };
    const crashing = pods.reduce((most, pod) => (restartCount(pod) > restartCount(most) ? pod : most), pods[0]!);
    for (const pod of pods) {
      const profile = (t: number): PodProfile => {
        const p99 = at('latency_p99_ms', t, DEFAULT_P99_MS);
        const restartsPerWindow = pod === crashing ? at('restarts', t, 0) : 0;
        return {
          requestsPerSecond: Math.max(0, at('request_rate', t, DEFAULT_SIDE_REQUESTS_PER_SECOND)) / pods.length,
          serverErrorRatio: Math.min(1, Math.max(0, 1 - at('request_success_rate', t, 1))),
          meanLatencyMs: p99 / Math.log(100),
          p99LatencyMs: p99,
          cpuCores: at('cpu_cores', t, DEFAULT_CPU_CORES),
          memoryBytes: at('memory_bytes', t, DEFAULT_MEMORY_BYTES),
          ...(restartsPerWindow > 0 ? { restartEverySeconds: window / restartsPerWindow } : {}),
        };
      };
      workloads.push({
        namespace: scenario.namespace,
        name: scenario.flagger?.target ?? scenario.rolloutName,
        pods: [pod.name],
        container: appContainer(pod),
        profile,
        // The scenario's samples carry their own noise.
        wobble: false,
        series: groups,
      });
    }
  }
  return workloads;
}

/** OpenMetrics text of every scenario with metrics, to backfill a real Prometheus (startPrometheusServer). */
export function corpusOpenMetrics(options: CorpusSeriesOptions): string {
  const history = options.historySeconds ?? 900;
  const future = options.futureSeconds ?? 900;
  const window = options.windowSeconds ?? 600;
  return canaryOpenMetrics({
    workloads: options.scenarios.flatMap((s) => scenarioWorkloads(s, options)),
    end: new Date(options.now.getTime() + future * 1000),
    durationSeconds: history + window + future,
    intervalSeconds: options.intervalSeconds ?? 15,
  });
}
