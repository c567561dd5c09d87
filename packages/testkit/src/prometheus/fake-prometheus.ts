/**
 * A fake Prometheus HTTP API on loopback that answers from the scenario corpus with real Prometheus JSON bodies.
 * Serves GET/POST /api/v1/query_range, GET/POST /api/v1/query, /-/ready and /-/healthy.
 *
 * How a query is mapped to a scenario series (kept deliberately simple; the catalog's templates follow it):
 * - metric, by the first rule that matches the PromQL text:
 *   `*_bucket` of istio_request_duration_milliseconds or nginx_ingress_controller_request_duration_seconds -> latency_p99_ms;
 *   istio_requests_total / nginx_ingress_controller_requests with a `/` (a ratio) -> request_success_rate, else request_rate;
 *   container_cpu_usage_seconds_total -> cpu_cores; container_memory_working_set_bytes -> memory_bytes;
 *   kube_pod_container_status_restarts_total -> restarts.
 * - scenario: the `namespace="..."` matcher (also `exported_namespace` / `destination_workload_namespace`).
 * - side: a `*pod_template_hash="H"` matcher -> the side whose pods carry hash H (or the Rollout's canary/stable
 *   hash); else a `pod=~"regex"` matcher -> the side of the first scenario pod whose name the regex matches;
 *   else a `service="S"` matcher -> canary when S contains "canary", stable otherwise.
 * - samples: the side's samples are emitted one per step from `start`, at most as many as the range has steps.
 * Anything else, or a metric the scenario has no samples for, is an empty matrix (what Prometheus says for no data).
 */
import type { ServerResponse } from 'node:http';
import { startFakeHttpServer, type FaultInjector, type RecordedRequest } from '../http/fake-http.js';
import type { Scenario, ScenarioMetricKey } from '../scenario.js';

export interface FakePrometheusRequest {
  method: string;
  path: string;
  /** Query string and form parameters merged. */
  params: Record<string, string>;
  authorization?: string;
}

export interface FakePrometheusOptions {
  scenarios?: Scenario[];
  /** When set, requests without exactly this Authorization header get a 401. */
  requireAuthorization?: string;
}

export interface FakePrometheus {
  url: string;
  /** Every request received, faulted ones included. */
  readonly requests: FakePrometheusRequest[];
  /** Faults; an error status gets a Prometheus error body `{status:"error", errorType, error}` unless `body` is given. */
  readonly faults: FaultInjector;
  /** Requests whose answer has not finished. */
  readonly openRequests: number;
  setScenarios(scenarios: Scenario[]): void;
  close(): Promise<void>;
}

export interface QueryTarget {
  scenario: Scenario;
  metric: ScenarioMetricKey;
  side: 'canary' | 'stable';
}

export function metricOfQuery(query: string): ScenarioMetricKey | undefined {
  if (/(istio_request_duration_milliseconds|nginx_ingress_controller_request_duration_seconds)_bucket/.test(query))
    return 'latency_p99_ms';
  if (/istio_requests_total|nginx_ingress_controller_requests\b/.test(query))
    return query.includes('/') ? 'request_success_rate' : 'request_rate';
  if (query.includes('container_cpu_usage_seconds_total')) return 'cpu_cores';
  if (query.includes('container_memory_working_set_bytes')) return 'memory_bytes';
  if (query.includes('kube_pod_container_status_restarts_total')) return 'restarts';
  return undefined;
}

/** Reads a PromQL string literal's content back (undoing the backslash escapes). */
function unquote(raw: string): string {
  return raw.replace(/\\(.)/g, '$1');
}

function matcher(query: string, pattern: RegExp): string | undefined {
  const m = pattern.exec(query);
  return m?.[1] === undefined ? undefined : unquote(m[1]);
}

const STRING = '"((?:[^"\\\\]|\\\\.)*)"';

export function resolveQueryTarget(query: string, scenarios: readonly Scenario[]): QueryTarget | undefined {
  const metric = metricOfQuery(query);
  if (metric === undefined) return undefined;
  const namespace = matcher(
    query,
    new RegExp(`(?:^|[{,\\s])(?:exported_namespace|destination_workload_namespace|namespace)\\s*=\\s*${STRING}`),
  );
  const scenario = scenarios.find((s) => s.namespace === namespace);
  if (scenario === undefined) return undefined;

  const hash = matcher(query, new RegExp(`pod_template_hash\\s*=\\s*${STRING}`));
  if (hash !== undefined) {
    const pod = scenario.pods.find((p) => p.podTemplateHash === hash);
    if (pod) return { scenario, metric, side: pod.side };
    if (scenario.rollout?.canaryPodHash === hash) return { scenario, metric, side: 'canary' };
    if (scenario.rollout?.stablePodHash === hash) return { scenario, metric, side: 'stable' };
    return undefined;
  }
  const podRegex = matcher(query, new RegExp(`(?:^|[{,\\s])pod\\s*=~\\s*${STRING}`));
  if (podRegex !== undefined) {
    let regex: RegExp;
    try {
      regex = new RegExp(`^(?:${podRegex})$`); // Prometheus anchors label regexes
    } catch {
      return undefined;
    }
    const pod = scenario.pods.find((p) => regex.test(p.name));
    return pod ? { scenario, metric, side: pod.side } : undefined;
  }
  const service = matcher(query, new RegExp(`(?:^|[{,\\s])service\\s*=\\s*${STRING}`));
  if (service !== undefined) return { scenario, metric, side: service.includes('canary') ? 'canary' : 'stable' };
  return undefined;
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function paramsOf(request: RecordedRequest): Record<string, string> {
  const params: Record<string, string> = { ...request.query };
  if (request.method === 'POST') Object.assign(params, Object.fromEntries(new URLSearchParams(request.body)));
  return params;
}

/** Prometheus' errorType for an HTTP status (web/api/v1 returns these). */
function errorTypeOf(status: number): string {
  if (status === 503) return 'unavailable';
  if (status === 422) return 'execution';
  if (status === 400) return 'bad_data';
  if (status === 504) return 'timeout';
  return 'internal';
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function badData(res: ServerResponse, error: string): void {
  sendJson(res, 400, { status: 'error', errorType: 'bad_data', error });
}

/** Prometheus accepts RFC 3339 or unix seconds; step as seconds or a duration like "30s"/"1m". */
function parseTime(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (Number.isFinite(n)) return n;
  const ms = Date.parse(raw);
  return Number.isNaN(ms) ? undefined : ms / 1000;
}

function parseStep(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (Number.isFinite(n)) return n;
  const m = /^(\d+)(ms|s|m|h)$/.exec(raw);
  if (!m) return undefined;
  const unit = { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  return Number(m[1]) * unit;
}

export async function startFakePrometheus(options: FakePrometheusOptions = {}): Promise<FakePrometheus> {
  let scenarios = options.scenarios ?? [];

  function samplesFor(query: string): { labels: Record<string, string>; samples: number[] } | undefined {
    const target = resolveQueryTarget(query, scenarios);
    if (target === undefined) return undefined;
    const samples = target.scenario.metrics?.[target.metric]?.[target.side];
    if (samples === undefined || samples.length === 0) return undefined;
    return { labels: { namespace: target.scenario.namespace }, samples };
  }

  function handle(request: RecordedRequest, res: ServerResponse): void {
    const params = paramsOf(request);

    if (request.path === '/-/ready' || request.path === '/-/healthy') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(request.path === '/-/ready' ? 'Prometheus Server is Ready.\n' : 'Prometheus Server is Healthy.\n');
      return;
    }
    if (options.requireAuthorization !== undefined && request.headers.authorization !== options.requireAuthorization) {
      res.writeHead(401, { 'content-type': 'text/plain' });
      res.end('Unauthorized\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'POST') {
      res.writeHead(405).end();
      return;
    }
    const query = params.query;
    if (request.path === '/api/v1/query_range') {
      const start = parseTime(params.start);
      const end = parseTime(params.end);
      const step = parseStep(params.step);
      if (!query)
        return badData(res, 'invalid parameter "query": unknown position: parse error: no expression found in input');
      if (start === undefined)
        return badData(res, `invalid parameter "start": cannot parse "${params.start ?? ''}" to a valid timestamp`);
      if (end === undefined)
        return badData(res, `invalid parameter "end": cannot parse "${params.end ?? ''}" to a valid timestamp`);
      if (step === undefined || step <= 0)
        return badData(
          res,
          'invalid parameter "step": zero or negative query resolution step widths are not accepted. Try a positive integer',
        );
      if (end < start) return badData(res, 'invalid parameter "end": end timestamp must not be before start time');
      if ((end - start) / step > 11000)
        return badData(
          res,
          'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)',
        );
      const found = samplesFor(query);
      const result = [];
      if (found) {
        const steps = Math.floor((end - start) / step) + 1;
        const values = found.samples.slice(0, steps).map((v, i) => [start + i * step, formatValue(v)]);
        result.push({ metric: found.labels, values });
      }
      return sendJson(res, 200, { status: 'success', data: { resultType: 'matrix', result } });
    }
    if (request.path === '/api/v1/query') {
      if (!query)
        return badData(res, 'invalid parameter "query": unknown position: parse error: no expression found in input');
      const time = parseTime(params.time) ?? Date.now() / 1000;
      const found = samplesFor(query);
      const result = found ? [{ metric: found.labels, value: [time, formatValue(found.samples.at(-1)!)] }] : [];
      return sendJson(res, 200, { status: 'success', data: { resultType: 'vector', result } });
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('404 page not found\n');
  }

  const server = await startFakeHttpServer({
    handle,
    errorBody: (status) => ({ status: 'error', errorType: errorTypeOf(status), error: `fault injected (${status})` }),
  });

  return {
    url: server.url,
    get requests() {
      return server.requests.map((r) => ({
        method: r.method,
        path: r.path,
        params: paramsOf(r),
        ...(r.headers.authorization ? { authorization: r.headers.authorization } : {}),
      }));
    },
    faults: server.faults,
    get openRequests() {
      return server.openRequests;
    },
    setScenarios(next) {
      scenarios = next;
    },
    close: () => server.close(),
  };
}
