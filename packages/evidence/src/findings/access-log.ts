/**
 * Access-log numbers judged like metrics, so a canary that answers more 5xx or answers slower is caught from its
 * own logs even without Prometheus. The caller passes one line per request: a mesh proxy's access log where the pod
 * has one (it also sees the requests that never reached the app), else the app's own.
 */
import { EvidenceIds } from '@aiops/contracts';
import type { Finding, MetricComparison } from '@aiops/contracts';
import { classifyMetric } from '../judge/classify.js';
import { compareErrorRates } from '../judge/proportions.js';
import { accessLogSummary, type AccessSideSummary } from '../logs/access.js';
import type { LogEvent } from '../logs/index.js';

/** Latency samples needed per side before latencies are compared. */
const MIN_LATENCY_SAMPLES = 20;

// Envoy's response flags (envoy access-log documentation, %RESPONSE_FLAGS%).
const RESPONSE_FLAGS: Record<string, string> = {
  UH: 'no healthy upstream host',
  UF: 'upstream connection failure',
  UO: 'upstream overflow (circuit breaker)',
  NR: 'no route configured',
  URX: 'upstream retry limit exceeded',
  NC: 'no cluster found',
  DT: 'request exceeded max duration',
  UC: 'upstream connection terminated',
  UT: 'upstream request timeout',
  LH: 'local service failed health check',
  UR: 'upstream remote reset',
  LR: 'connection local reset',
  DC: 'downstream connection terminated',
  RL: 'rate limited locally',
  UAEX: 'denied by external authorization',
  DPE: 'downstream protocol error',
  UPE: 'upstream protocol error',
  UMSDR: 'upstream max stream duration reached',
  OM: 'overload manager terminated the request',
};

/** `UF ×212 (upstream connection failure), UH ×3 (no healthy upstream host)`, most frequent first. */
function describeFlags(side: AccessSideSummary): string {
  return Object.entries(side.flags5xx)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([flags, count]) => {
      const meaning = flags
        .split(',')
        .map((f) => RESPONSE_FLAGS[f])
        .filter((m) => m !== undefined)
        .join(', ');
      return `${flags} ×${count}${meaning ? ` (${meaning})` : ''}`;
    })
    .join(', ');
}

export function accessLogEvidence(
  events: { canary: LogEvent[]; stable: LogEvent[] },
  options: { proxied?: boolean } = {},
): { comparisons: MetricComparison[]; findings: Finding[] } {
  const summary = accessLogSummary(events);
  const { canary, stable } = summary;
  const comparisons: MetricComparison[] = [];
  const findings: Finding[] = [];
  if (canary.requests === 0 || stable.requests === 0) return { comparisons, findings };

  const errors = compareErrorRates({
    canary: { events: canary.errors5xx, total: canary.requests },
    stable: { events: stable.errors5xx, total: stable.requests },
  });
  comparisons.push({
    id: EvidenceIds.accessLog('http_5xx_ratio'),
    name: 'http_5xx_ratio (access logs)',
    source: 'logs',
    classification: errors.classification,
    critical: true,
    direction: 'increase',
    canary: { count: canary.requests, mean: canary.errorRate5xx },
    stable: { count: stable.requests, mean: stable.errorRate5xx },
    ...(errors.pValue !== undefined ? { pValue: errors.pValue } : {}),
    unit: 'ratio',
    note: errors.reason,
  });
  const flags = describeFlags(canary);
  if (errors.classification === 'High') {
    findings.push({
      id: EvidenceIds.accessLog('http_5xx_ratio'),
      kind: 'metric-regression',
      side: 'canary',
      severity: 'critical',
      hard: true,
      title: `the canary answers 5xx more often than stable in its access logs${options.proxied ? ' (mesh proxy included)' : ''}: ${errors.reason}${flags ? `; envoy response flags on canary 5xx: ${flags}` : ''}`,
    });
  }

  if (canary.latencyMs.length >= MIN_LATENCY_SAMPLES && stable.latencyMs.length >= MIN_LATENCY_SAMPLES) {
    const latency = classifyMetric({
      canary: canary.latencyMs,
      stable: stable.latencyMs,
      direction: 'increase',
      critical: false,
    });
    comparisons.push({
      id: EvidenceIds.accessLog('http_latency_ms'),
      name: 'http_latency_ms (access logs)',
      source: 'logs',
      classification: latency.classification,
      critical: false,
      direction: 'increase',
      canary: latency.canary,
      stable: latency.stable,
      ...(latency.pValue !== undefined ? { pValue: latency.pValue } : {}),
      ...(latency.effectSize !== undefined && Number.isFinite(latency.effectSize)
        ? { effectSize: latency.effectSize }
        : {}),
      unit: 'ms',
      note: latency.reason,
    });
    if (latency.classification === 'High') {
      findings.push({
        id: EvidenceIds.accessLog('http_latency_ms'),
        kind: 'metric-regression',
        side: 'canary',
        severity: 'error',
        hard: false,
        title: `the canary answers slower than stable in its access logs: ${latency.reason}`,
      });
    }
  }
  return { comparisons, findings };
}
