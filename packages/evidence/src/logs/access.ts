/**
 * Access-log recognition (common/combined, envoy/istio, JSON) and the per-side request summary the judge uses to
 * compare error rates and latency.
 */
import type { LogEvent } from './types.js';

// Common / combined log format; an optional trailing request time (nginx `$request_time`, seconds) is read too.
const COMMON_LOG = /^\S+ \S+ \S+ \[[^\]]+\] "[A-Z]+ [^"]*" (\d{3}) (?:\d+|-)(?: "[^"]*" "[^"]*")?(?: (\d+(?:\.\d+)?))?/;
// Envoy / istio default access log: `[start] "GET /p HTTP/1.1" 200 flags ... bytes_in bytes_out duration upstream_time "..."`.
const ENVOY_LOG = /^\[[^\]]+\] "[A-Z]+ [^"]* [^"]*" (\d{3}) .*? (\d+) (\d+) (\d+) (?:\d+|-) "/;

export function parseAccessLine(line: string): { status: number; latencyMs?: number } | undefined {
  if (line.startsWith('[')) {
    const envoy = ENVOY_LOG.exec(line);
    if (envoy) return { status: Number(envoy[1]), latencyMs: Number(envoy[4]) };
    return undefined;
  }
  const common = COMMON_LOG.exec(line);
  if (!common) return undefined;
  const result: { status: number; latencyMs?: number } = { status: Number(common[1]) };
  if (common[2] !== undefined) result.latencyMs = Number(common[2]) * 1000;
  return result;
}

const STATUS_KEYS = ['status', 'status_code', 'statusCode', 'response_code', 'http.status_code', 'http_status', 'code'];
const LATENCY_MS_KEYS = ['latency_ms', 'duration_ms', 'durationMs', 'response_time_ms', 'elapsed_ms', 'took_ms'];
const LATENCY_ANY_KEYS = ['latency', 'duration', 'response_time', 'request_time', 'elapsed', 'took', 'responseTime'];

function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^\d+(?:\.\d+)?$/.test(value)) return Number(value);
  return undefined;
}

/** `"0.123s"`, `"15ms"`, `"1.2µs"`, or a bare number (taken as milliseconds, envoy's unit). */
function durationToMs(value: unknown, key: string): number | undefined {
  const n = asNumber(value);
  if (n !== undefined) return key === 'request_time' ? n * 1000 : n;
  if (typeof value !== 'string') return undefined;
  const m = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m)$/.exec(value.trim());
  if (!m) return undefined;
  const factor: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000 };
  return Number(m[1]) * (factor[m[2] ?? 'ms'] ?? 1);
}

/** Reads status and latency from a JSON (or logfmt) access record, including GCP's `httpRequest` object. */
export function parseJsonAccess(obj: Record<string, unknown>): { status: number; latencyMs?: number } | undefined {
  const nested = obj.httpRequest ?? obj.http ?? obj.request;
  if (nested !== null && typeof nested === 'object' && !Array.isArray(nested)) {
    const inner = parseJsonAccess(nested as Record<string, unknown>);
    if (inner !== undefined) return inner;
  }
  let status: number | undefined;
  for (const key of STATUS_KEYS) {
    const n = asNumber(obj[key]);
    if (n !== undefined && Number.isInteger(n) && n >= 100 && n <= 599) {
      status = n;
      break;
    }
  }
  if (status === undefined) return undefined;
  // A bare `code` is too ambiguous unless the record also looks like a request.
  if (obj.status === undefined && obj.status_code === undefined && obj.statusCode === undefined && obj.response_code === undefined
    && obj['http.status_code'] === undefined && obj.http_status === undefined && obj.method === undefined && obj.path === undefined) {
    return undefined;
  }
  const result: { status: number; latencyMs?: number } = { status };
  for (const key of LATENCY_MS_KEYS) {
    const n = asNumber(obj[key]);
    if (n !== undefined) {
      result.latencyMs = n;
      return result;
    }
  }
  for (const key of LATENCY_ANY_KEYS) {
    const ms = durationToMs(obj[key], key);
    if (ms !== undefined) {
      result.latencyMs = ms;
      return result;
    }
  }
  return result;
}

const KNOWN_ROOTS = /^\/(?:usr\/src\/app|opt\/app|app|workspace|srv\/app|srv|code|build|home\/[^/]+\/app|go\/src\/[^/]+\/[^/]+\/[^/]+)\//;
const REPO_HOSTED = /^.*?\b(?:github\.com|gitlab\.com|bitbucket\.org)\/[^/]+\/[^/]+\//;

/** Repository-relative path from a path inside a container image (best effort). */
export function normaliseFramePath(path: string): string {
  let p = path.replace(/^file:\/\//, '');
  if (REPO_HOSTED.test(p)) return p.replace(REPO_HOSTED, '');
  if (KNOWN_ROOTS.test(p)) return p.replace(KNOWN_ROOTS, '');
  p = p.replace(/^\/+/, '');
  return p;
}

export interface AccessSideSummary {
  requests: number;
  errors5xx: number;
  /** 5xx responses / requests, 0 when there were no requests. */
  errorRate5xx: number;
  /** Latencies in milliseconds, in log order, for the lines that carried one. */
  latencyMs: number[];
}

export interface AccessLogSummary {
  canary: AccessSideSummary;
  stable: AccessSideSummary;
}

function summariseSide(events: LogEvent[]): AccessSideSummary {
  let requests = 0;
  let errors5xx = 0;
  const latencyMs: number[] = [];
  for (const event of events) {
    if (event.http === undefined) continue;
    requests++;
    if (event.http.status >= 500) errors5xx++;
    if (event.http.latencyMs !== undefined) latencyMs.push(event.http.latencyMs);
  }
  return { requests, errors5xx, errorRate5xx: requests === 0 ? 0 : errors5xx / requests, latencyMs };
}

export function accessLogSummary(events: { canary: LogEvent[]; stable: LogEvent[] }): AccessLogSummary {
  return { canary: summariseSide(events.canary), stable: summariseSide(events.stable) };
}
