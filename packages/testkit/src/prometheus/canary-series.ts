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
 * and _sum agree. A profile is constant or given per sample time (it then holds for the scrape interval ending at
 * that time), so that a rate over a window reflects the profile of that window. Values wobble around the profile by
 * a PRNG seeded from the series (unless switched off), so output is deterministic.
 */

export interface PodProfile {
  /** Requests per second served by each pod; 0 keeps its counters standing still (a ratio of rates is then 0/0). */
  requestsPerSecond: number;
  /** Share of requests answered 503; 1 leaves the pod with no other response code (no 200 or 404 series). */
  serverErrorRatio: number;
  /** Mean request duration; durations are exponential, so the p99 is about 4.6 x the mean. */
  meanLatencyMs: number;
  /**
   * When set, the duration buckets are shaped (exponential below and above the bucket holding it) so that
   * histogram_quantile(0.99, ...), which interpolates linearly inside a bucket, gives exactly this value.
   */
  p99LatencyMs?: number;
  /** CPU of each pod's app container. */
  cpuCores: number;
  /** Working set of each pod's app container. */
  memoryBytes: number;
  /** Every pod's app container restarts this often; absent: never. */
  restartEverySeconds?: number;
}

/** The exporters whose series a workload has; a series that no exporter reports is absent (no data). */
export type SeriesGroup = 'requests' | 'cpu' | 'memory' | 'restarts';

export interface WorkloadSeries {
  namespace: string;
  /** Deployment-like name: Istio's destination_workload and the ingress' name and host. */
  name: string;
  pods: readonly string[];
  /** Service in front of the pods; ingress-nginx series exist only for workloads that have one. */
  service?: string;
  /** Default "app". */
  container?: string;
  /** Constant, or per sample time (unix seconds): the profile of the scrape interval that ends at that time. */
  profile: PodProfile | ((unixSeconds: number) => PodProfile);
  /** Default true. false: exactly the profile, for profiles that carry their own noise. */
  wobble?: boolean;
  /** Default all. */
  series?: ReadonlySet<SeriesGroup>;
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
const ALL_GROUPS: ReadonlySet<SeriesGroup> = new Set(['requests', 'cpu', 'memory', 'restarts']);

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

/** Wobble factors in [1 - spread, 1 + spread), or exactly 1 without wobble. */
function wobbler(key: string, spread: number, enabled: boolean): () => number {
  if (!enabled) return () => 1;
  const next = random(key);
  return () => 1 - spread + 2 * spread * next();
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
    // No spread: a family of a whole corpus has more lines than a call may take arguments.
    for (const [family, { type, lines }] of this.families) {
      out.push(`# TYPE ${family} ${type}`);
      for (const line of lines) out.push(line);
    }
    out.push('# EOF', '');
    return out.join('\n');
  }
}

/** Cumulative request totals at each timestamp: the rate of each interval, wobbling +-20 % unless switched off. */
function requestTotals(key: string, perSecondAt: readonly number[], interval: number, wobble: boolean): number[] {
  const factor = wobbler(key, 0.2, wobble);
  // Counters start where an hour of traffic left them, as on a pod that has been up a while.
  let total = (perSecondAt[0] ?? 0) * 3600;
  return perSecondAt.map((perSecond, i) => {
    if (i > 0) total += perSecond * interval * factor();
    return Math.floor(total);
  });
}

/** Integer counts that follow a running float target without ever going down or past what is left to share. */
class Share {
  private target = 0;
  count = 0;
  /** Takes this interval's part of `available` new requests; returns how many it took. */
  take(available: number, share: number): number {
    this.target += available * share;
    const taken = Math.min(available, Math.max(0, Math.floor(this.target + 1e-9) - this.count));
    this.count += taken;
    return taken;
  }
}

/**
 * Cumulative counts by status at each timestamp: of each interval's requests, the 5xx share is answered 503, 2 % of
 * the rest 404, the remainder 200. A status exists as a series when any interval gives it a share.
 */
function byStatus(totals: readonly number[], errorRatioAt: readonly number[]): { status: string; counts: number[] }[] {
  const errors = new Share();
  const notFound = new Share();
  const counts = { '200': [] as number[], '404': [] as number[], '503': [] as number[] };
  totals.forEach((total, i) => {
    const added = i === 0 ? total : total - totals[i - 1]!;
    const ratio = errorRatioAt[i]!;
    const failed = errors.take(added, ratio);
    notFound.take(added - failed, NOT_FOUND_RATIO);
    counts['503'].push(errors.count);
    counts['404'].push(notFound.count);
    counts['200'].push(total - errors.count - notFound.count);
  });
  return [
    { status: '200', counts: counts['200'], exists: errorRatioAt.some((r) => r < 1) },
    { status: '404', counts: counts['404'], exists: errorRatioAt.some((r) => r < 1) },
    { status: '503', counts: counts['503'], exists: errorRatioAt.some((r) => r > 0) },
  ]
    .filter((s) => s.exists)
    .map(({ status, counts }) => ({ status, counts }));
}

const exponentialCdf = (x: number, mean: number) => 1 - Math.exp(-x / mean);

/**
 * Share of requests at or under each bound. Exponential with the profile's mean; with a p99, the two bounds around
 * it are moved so that linear interpolation between them (what histogram_quantile does) reaches 0.99 at the p99:
 * either the upper one (the lower keeps its exponential share) or, when that would pass 1, the lower one.
 */
function bucketShares(bounds: readonly number[], meanLatency: number, p99Latency?: number): number[] {
  if (p99Latency === undefined) return bounds.map((le) => exponentialCdf(le, meanLatency));
  const shares = bounds.map((le) => exponentialCdf(le, p99Latency / Math.log(100)));
  const upper = bounds.findIndex((le) => le >= p99Latency);
  // Beyond the last finite bound histogram_quantile answers that bound whatever the counts: nothing to shape.
  if (upper === -1) return shares;
  const lower = upper === 0 ? 0 : bounds[upper - 1]!;
  const lowerShare = upper === 0 ? 0 : shares[upper - 1]!;
  const position = (p99Latency - lower) / (bounds[upper]! - lower);
  const upperShare = lowerShare + (0.99 - lowerShare) / position;
  if (upperShare <= 1) {
    shares[upper] = upperShare;
    for (let i = upper + 1; i < shares.length; i++) shares[i] = Math.max(shares[i]!, upperShare);
  } else {
    const newLower = (0.99 - position * shares[upper]!) / (1 - position);
    shares[upper - 1] = newLower;
    for (let i = 0; i < upper - 1; i++) shares[i] = Math.min(shares[i]!, newLower);
  }
  return shares;
}

function histogram(
  families: Families,
  family: string,
  labels: Record<string, string>,
  bounds: readonly number[],
  /** Per timestamp: the share of each bound and the mean duration of that interval's requests. */
  shape: readonly { shares: readonly number[]; mean: number }[],
  totals: readonly number[],
  times: readonly number[],
) {
  const buckets = bounds.map(() => new Share());
  let sum = 0;
  totals.forEach((total, i) => {
    const t = times[i]!;
    const added = i === 0 ? total : total - totals[i - 1]!;
    const { shares, mean } = shape[i]!;
    sum += added * mean;
    bounds.forEach((le, b) => {
      const count = buckets[b]!;
      count.take(added, shares[b]!);
      families.sample(family, 'histogram', `${family}_bucket`, { ...labels, le: String(le) }, count.count, t);
    });
    families.sample(family, 'histogram', `${family}_bucket`, { ...labels, le: '+Inf' }, total, t);
    families.sample(family, 'histogram', `${family}_count`, labels, total, t);
    families.sample(family, 'histogram', `${family}_sum`, labels, Number(sum.toFixed(3)), t);
  });
}

/** One counter series per status that the side ever answered, each with all its timestamps in a row. */
function countersByStatus(
  families: Families,
  metric: { family: string; type: string; name: string; statusLabel: string },
  labels: Record<string, string>,
  errorRatioAt: readonly number[],
  totals: readonly number[],
  times: readonly number[],
) {
  for (const { status, counts } of byStatus(totals, errorRatioAt))
    counts.forEach((count, i) =>
      families.sample(
        metric.family,
        metric.type,
        metric.name,
        { ...labels, [metric.statusLabel]: status },
        count,
        times[i]!,
      ),
    );
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

/** Restarts by each timestamp: one each time the running sum of interval / restartEverySeconds passes an integer. */
function restartCounts(profiles: readonly PodProfile[], interval: number): number[] {
  let restarts = 0;
  return profiles.map((profile, i) => {
    const every = profile.restartEverySeconds;
    if (i > 0 && every !== undefined) restarts += interval / every;
    // The epsilon keeps 10 x 0.1 at 1 in floating point.
    return Math.floor(restarts + 1e-9);
  });
}

export function canaryOpenMetrics(options: CanarySeriesOptions): string {
  const interval = options.intervalSeconds ?? 15;
  const duration = options.durationSeconds ?? 900;
  const end = Math.floor(options.end.getTime() / 1000);
  const times = Array.from({ length: Math.floor(duration / interval) + 1 }, (_, i) => end - duration + i * interval);
  const families = new Families();

  for (const workload of options.workloads) {
    const { namespace } = workload;
    const app = workload.container ?? 'app';
    const wobble = workload.wobble ?? true;
    const groups = workload.series ?? ALL_GROUPS;
    const profileOf = workload.profile;
    const profiles = times.map((t) => (typeof profileOf === 'function' ? profileOf(t) : profileOf));
    const shape = (bounds: readonly number[], scale: number) =>
      profiles.map((p) => ({
        shares: bucketShares(
          bounds,
          p.meanLatencyMs / scale,
          p.p99LatencyMs === undefined ? undefined : p.p99LatencyMs / scale,
        ),
        mean: p.meanLatencyMs / scale,
      }));
    const errorRatios = profiles.map((p) => p.serverErrorRatio);
    const istioShape = groups.has('requests') ? shape(ISTIO_BUCKETS_MS, 1) : [];
    for (const pod of workload.pods) {
      const outbound = requestTotals(
        `${namespace}/${pod}/outbound`,
        times.map(() => OUTBOUND_REQUESTS_PER_SECOND),
        interval,
        wobble,
      );
      const source = { reporter: 'source', namespace, pod, destination_service: 'payments.payments.svc.cluster.local' };
      if (groups.has('requests')) {
        const served = requestTotals(
          `${namespace}/${pod}/served`,
          profiles.map((p) => p.requestsPerSecond),
          interval,
          wobble,
        );
        const destination = { reporter: 'destination', namespace, pod, destination_workload: workload.name };
        countersByStatus(families, ISTIO_REQUESTS, destination, errorRatios, served, times);
        histogram(
          families,
          'istio_request_duration_milliseconds',
          destination,
          ISTIO_BUCKETS_MS,
          istioShape,
          served,
          times,
        );
        countersByStatus(
          families,
          ISTIO_REQUESTS,
          source,
          times.map(() => OUTBOUND_ERROR_RATIO),
          outbound,
          times,
        );
      }

      const containers = [
        { container: app, cpu: profiles.map((p) => p.cpuCores), memory: profiles.map((p) => p.memoryBytes) },
        {
          container: 'istio-proxy',
          cpu: times.map(() => SIDECAR_CPU_CORES),
          memory: times.map(() => SIDECAR_MEMORY_BYTES),
        },
        { container: 'POD', cpu: times.map(() => PAUSE_CPU_CORES), memory: times.map(() => PAUSE_MEMORY_BYTES) },
      ];
      if (groups.has('cpu')) {
        const cpuSeconds = new Map(
          containers.map(({ container, cpu }) => {
            const factor = wobbler(`${namespace}/${pod}/${container}/cpu`, 0.05, wobble);
            let used = cpu[0]! * 3600;
            const values = cpu.map((cores, i) => {
              if (i > 0) used += cores * interval * factor();
              return Number(used.toFixed(6));
            });
            return [container, values];
          }),
        );
        perContainer(
          families,
          { family: 'container_cpu_usage_seconds', type: 'counter', name: 'container_cpu_usage_seconds_total' },
          { namespace, pod, cpu: 'total' },
          cpuSeconds,
          times,
        );
      }
      if (groups.has('memory')) {
        const workingSet = new Map(
          containers.map(({ container, memory }) => {
            const factor = wobbler(`${namespace}/${pod}/${container}/memory`, 0.02, wobble);
            return [container, memory.map((bytes) => Math.round(bytes * factor()))];
          }),
        );
        perContainer(
          families,
          { family: 'container_memory_working_set_bytes', type: 'gauge', name: 'container_memory_working_set_bytes' },
          { namespace, pod },
          workingSet,
          times,
        );
      }
      if (groups.has('restarts')) {
        const appRestarts = restartCounts(profiles, interval);
        for (const container of [app, 'istio-proxy'])
          times.forEach((t, i) =>
            families.sample(
              'kube_pod_container_status_restarts',
              'counter',
              'kube_pod_container_status_restarts_total',
              { namespace, pod, container },
              container === app ? appRestarts[i]! : 0,
              t,
            ),
          );
      }
    }

    if (workload.service !== undefined && groups.has('requests')) {
      const totals = requestTotals(
        `${namespace}/${workload.service}/ingress`,
        profiles.map((p) => p.requestsPerSecond * workload.pods.length),
        interval,
        wobble,
      );
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
      countersByStatus(families, NGINX_REQUESTS, labels, errorRatios, totals, times);
      histogram(
        families,
        'nginx_ingress_controller_request_duration_seconds',
        labels,
        NGINX_BUCKETS_S,
        shape(NGINX_BUCKETS_S, 1000),
        totals,
        times,
      );
    }
  }
  return families.text();
}
