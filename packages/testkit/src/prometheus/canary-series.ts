/**
 * Real-shaped OpenMetrics for canary and stable workloads, to backfill a real Prometheus (startPrometheusServer):
 * the series the exporters in a cluster expose, with their label sets, counter and histogram semantics and the
 * sidecar and pod-cgroup series a query has to leave out.
 * - Istio (reporter="destination" on the serving pod): istio_requests_total by response_code and the
 *   istio_request_duration_milliseconds histogram; each pod also reports its own outbound calls with
 *   reporter="source", mostly failing, which a query of the pod's served traffic must not count.
 * - ingress-nginx, by backend Service: nginx_ingress_controller_requests by status and the
 *   nginx_ingress_controller_request_duration_seconds histogram.
 * - cAdvisor: container_cpu_usage_seconds_total and container_memory_working_set_bytes for the app container, the
 *   istio-proxy sidecar, the pause container ("POD") and the pod cgroup (container="", the sum of the others).
 * - kube-state-metrics: kube_pod_container_status_restarts_total, a step per restart.
 * Counts are integers and cumulative, derived from one running request total per pod so that codes, buckets, _count
 * and _sum agree. Values wobble around the profile by a PRNG seeded from the series, so output is deterministic.
 */

export interface PodProfile {
  /** Requests per second served by each pod; 0 keeps its counters standing still (a ratio of rates is then 0/0). */
  requestsPerSecond: number;
  /** Share of requests answered 503; 1 leaves the pod with no other response code (no 200 or 404 series). */
  serverErrorRatio: number;
  /** Mean request duration; durations are exponential, so the p99 is about 4.6 x the mean. */
  meanLatencyMs: number;
  /** CPU of each pod's app container. */
  cpuCores: number;
  /** Working set of each pod's app container. */
  memoryBytes: number;
  /** Every pod's app container restarts this often; absent: never. */
  restartEverySeconds?: number;
}

export interface WorkloadSeries {
  namespace: string;
  /** Deployment-like name: Istio's destination_workload and the ingress' name and host. */
  name: string;
  pods: readonly string[];
  /** Service in front of the pods; ingress-nginx series exist only for workloads that have one. */
  service?: string;
  /** Default "app". */
  container?: string;
  profile: PodProfile;
}

export interface CanarySeriesOptions {
  workloads: readonly WorkloadSeries[];
  /** Time of the last sample of every series. */
  end: Date;
  /** Default 900 (15 minutes). */
  durationSeconds?: number;
  /** Scrape interval. Default 15. */
  intervalSeconds?: number;
}

/** Share of the non-5xx requests answered 404: client errors count as successes. */
const NOT_FOUND_RATIO = 0.02;
/** Each pod's outbound calls (reporter="source"), half of them failing, whether or not it serves traffic itself. */
const OUTBOUND_REQUESTS_PER_SECOND = 2;
const OUTBOUND_ERROR_RATIO = 0.5;
const ISTIO_BUCKETS_MS = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];
const NGINX_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const SIDECAR_CPU_CORES = 0.5;
const SIDECAR_MEMORY_BYTES = 150e6;
const PAUSE_CPU_CORES = 0.001;
const PAUSE_MEMORY_BYTES = 0.5e6;

/** mulberry32 seeded with FNV-1a of the key: the same series wobbles the same way on every run. */
function random(key: string): () => number {
  let seed = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) seed = Math.imul(seed ^ key.charCodeAt(i), 0x01000193);
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function labelsText(labels: Record<string, string>): string {
  const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  return `{${Object.entries(labels)
    .map(([k, v]) => `${k}="${escape(v)}"`)
    .join(',')}}`;
}

/** OpenMetrics families: samples of one family stay together, each series' samples in time order. */
class Families {
  private readonly families = new Map<string, { type: string; lines: string[] }>();

  sample(family: string, type: string, name: string, labels: Record<string, string>, value: number, t: number) {
    let entry = this.families.get(family);
    if (entry === undefined) {
      entry = { type, lines: [] };
      this.families.set(family, entry);
    }
    entry.lines.push(`${name}${labelsText(labels)} ${value} ${t}`);
  }

  text(): string {
    const out: string[] = [];
    for (const [family, { type, lines }] of this.families) out.push(`# TYPE ${family} ${type}`, ...lines);
    out.push('# EOF', '');
    return out.join('\n');
  }
}

/** Cumulative request totals of one source of traffic at each timestamp, wobbling +-20 % around the rate. */
function requestTotals(key: string, perSecond: number, times: readonly number[], interval: number): number[] {
  const next = random(key);
  // Counters start where an hour of traffic left them, as on a pod that has been up a while.
  let total = perSecond * 3600;
  return times.map((_, i) => {
    if (i > 0) total += perSecond * interval * (0.8 + 0.4 * next());
    return Math.floor(total);
  });
}

/** Cumulative counts by status of a running total: 5xx first, then 404s among the rest, 200 the remainder. */
function byStatus(total: number, serverErrorRatio: number): { status: string; count: number }[] {
  const errors = Math.floor(total * serverErrorRatio);
  const notFound = Math.floor((total - errors) * NOT_FOUND_RATIO);
  const statuses = [
    { status: '200', count: total - errors - notFound, exists: serverErrorRatio < 1 },
    { status: '404', count: notFound, exists: serverErrorRatio < 1 },
    { status: '503', count: errors, exists: serverErrorRatio > 0 },
  ];
  return statuses.filter((s) => s.exists).map(({ status, count }) => ({ status, count }));
}

const exponentialCdf = (x: number, mean: number) => 1 - Math.exp(-x / mean);

function histogram(
  families: Families,
  family: string,
  labels: Record<string, string>,
  bounds: readonly number[],
  mean: number,
  totals: readonly number[],
  times: readonly number[],
) {
  totals.forEach((total, i) => {
    const t = times[i]!;
    for (const le of bounds)
      families.sample(
        family,
        'histogram',
        `${family}_bucket`,
        { ...labels, le: String(le) },
        Math.floor(total * exponentialCdf(le, mean)),
        t,
      );
    families.sample(family, 'histogram', `${family}_bucket`, { ...labels, le: '+Inf' }, total, t);
    families.sample(family, 'histogram', `${family}_count`, labels, total, t);
    families.sample(family, 'histogram', `${family}_sum`, labels, total * mean, t);
  });
}

/** One counter series per status that the side ever answered, each with all its timestamps in a row. */
function countersByStatus(
  families: Families,
  metric: { family: string; type: string; name: string; statusLabel: string },
  labels: Record<string, string>,
  serverErrorRatio: number,
  totals: readonly number[],
  times: readonly number[],
) {
  for (const { status } of byStatus(totals.at(-1)!, serverErrorRatio))
    totals.forEach((total, i) => {
      const count = byStatus(total, serverErrorRatio).find((s) => s.status === status)!.count;
      families.sample(
        metric.family,
        metric.type,
        metric.name,
        { ...labels, [metric.statusLabel]: status },
        count,
        times[i]!,
      );
    });
}

const ISTIO_REQUESTS = {
  family: 'istio_requests',
  type: 'counter',
  name: 'istio_requests_total',
  statusLabel: 'response_code',
};
// ingress-nginx's counter has no _total suffix, which an OpenMetrics counter must have: typed unknown instead.
const NGINX_REQUESTS = {
  family: 'nginx_ingress_controller_requests',
  type: 'unknown',
  name: 'nginx_ingress_controller_requests',
  statusLabel: 'status',
};

/** A value per timestamp for each container of a pod, then the pod cgroup (container="") holding their sum. */
function perContainer(
  families: Families,
  metric: { family: string; type: string; name: string },
  labels: Record<string, string>,
  byContainer: ReadonlyMap<string, readonly number[]>,
  times: readonly number[],
) {
  const cgroup = times.map((_, i) => [...byContainer.values()].reduce((sum, values) => sum + values[i]!, 0));
  for (const [container, values] of [...byContainer, ['', cgroup] as const])
    values.forEach((value, i) =>
      families.sample(metric.family, metric.type, metric.name, { ...labels, container }, value, times[i]!),
    );
}

export function canaryOpenMetrics(options: CanarySeriesOptions): string {
  const interval = options.intervalSeconds ?? 15;
  const duration = options.durationSeconds ?? 900;
  const end = Math.floor(options.end.getTime() / 1000);
  const times = Array.from({ length: Math.floor(duration / interval) + 1 }, (_, i) => end - duration + i * interval);
  const families = new Families();

  for (const workload of options.workloads) {
    const { namespace, profile } = workload;
    const app = workload.container ?? 'app';
    for (const pod of workload.pods) {
      const served = requestTotals(`${namespace}/${pod}/served`, profile.requestsPerSecond, times, interval);
      const destination = { reporter: 'destination', namespace, pod, destination_workload: workload.name };
      countersByStatus(families, ISTIO_REQUESTS, destination, profile.serverErrorRatio, served, times);
      histogram(
        families,
        'istio_request_duration_milliseconds',
        destination,
        ISTIO_BUCKETS_MS,
        profile.meanLatencyMs,
        served,
        times,
      );
      const outbound = requestTotals(`${namespace}/${pod}/outbound`, OUTBOUND_REQUESTS_PER_SECOND, times, interval);
      const source = { reporter: 'source', namespace, pod, destination_service: 'payments.payments.svc.cluster.local' };
      countersByStatus(families, ISTIO_REQUESTS, source, OUTBOUND_ERROR_RATIO, outbound, times);

      const containers = [
        { container: app, cpu: profile.cpuCores, memory: profile.memoryBytes },
        { container: 'istio-proxy', cpu: SIDECAR_CPU_CORES, memory: SIDECAR_MEMORY_BYTES },
        { container: 'POD', cpu: PAUSE_CPU_CORES, memory: PAUSE_MEMORY_BYTES },
      ];
      const cpuSeconds = new Map(
        containers.map(({ container, cpu }) => {
          const next = random(`${namespace}/${pod}/${container}/cpu`);
          let used = cpu * 3600;
          const values = times.map((_, i) => {
            if (i > 0) used += cpu * interval * (0.95 + 0.1 * next());
            return Number(used.toFixed(6));
          });
          return [container, values];
        }),
      );
      const workingSet = new Map(
        containers.map(({ container, memory }) => {
          const next = random(`${namespace}/${pod}/${container}/memory`);
          return [container, times.map(() => Math.round(memory * (0.98 + 0.04 * next())))];
        }),
      );
      perContainer(
        families,
        { family: 'container_cpu_usage_seconds', type: 'counter', name: 'container_cpu_usage_seconds_total' },
        { namespace, pod, cpu: 'total' },
        cpuSeconds,
        times,
      );
      perContainer(
        families,
        { family: 'container_memory_working_set_bytes', type: 'gauge', name: 'container_memory_working_set_bytes' },
        { namespace, pod },
        workingSet,
        times,
      );
      for (const container of [app, 'istio-proxy'])
        for (const t of times) {
          const every = container === app ? profile.restartEverySeconds : undefined;
          const restarts = every === undefined ? 0 : Math.floor((t - times[0]!) / every);
          families.sample(
            'kube_pod_container_status_restarts',
            'counter',
            'kube_pod_container_status_restarts_total',
            { namespace, pod, container },
            restarts,
            t,
          );
        }
    }

    if (workload.service !== undefined) {
      const perSecond = profile.requestsPerSecond * workload.pods.length;
      const totals = requestTotals(`${namespace}/${workload.service}/ingress`, perSecond, times, interval);
      const labels = {
        namespace,
        service: workload.service,
        ingress: workload.name,
        host: `${workload.name}.example.com`,
        method: 'GET',
        path: '/',
        controller_namespace: 'ingress-nginx',
        controller_pod: 'ingress-nginx-controller-6d9f7c8b5-x2x9q',
      };
      countersByStatus(families, NGINX_REQUESTS, labels, profile.serverErrorRatio, totals, times);
      histogram(
        families,
        'nginx_ingress_controller_request_duration_seconds',
        labels,
        NGINX_BUCKETS_S,
        profile.meanLatencyMs / 1000,
        totals,
        times,
      );
    }
  }
  return families.text();
}
