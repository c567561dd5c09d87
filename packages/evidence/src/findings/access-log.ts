/**
 * Access-log numbers judged like metrics, so a canary that answers more 5xx or answers slower is caught from its
 * own logs even without Prometheus. Sidecar (envoy) lines are not read by the log fetcher, so requests are not
 * counted twice.
 */
import type { Finding, MetricComparison } from '@aiops/contracts';
import { classifyMetric } from '../judge/classify.js';
import { compareErrorRates } from '../judge/proportions.js';
import { accessLogSummary } from '../logs/access.js';
import type { LogEvent } from '../logs/index.js';

/** Latency samples needed per side before latencies are compared. */
const MIN_LATENCY_SAMPLES = 20;

export function accessLogEvidence(events: { canary: LogEvent[]; stable: LogEvent[] }): { comparisons: MetricComparison[]; findings: Finding[] } {
  const summary = accessLogSummary(events);
  const { canary, stable } = summary;
  const comparisons: MetricComparison[] = [];
  const findings: Finding[] = [];
  if (canary.requests === 0 || stable.requests === 0) return { comparisons, findings };

  const errors = compareErrorRates({ canary: { events: canary.errors5xx, total: canary.requests }, stable: { events: stable.errors5xx, total: stable.requests } });
  comparisons.push({
    id: 'logs:http_5xx_ratio',
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
  if (errors.classification === 'High') {
    findings.push({
      id: 'logs:http_5xx_ratio',
      kind: 'metric-regression',
      side: 'canary',
      severity: 'critical',
      hard: true,
      title: `the canary answers 5xx more often than stable in its access logs: ${errors.reason}`,
    });
  }

  if (canary.latencyMs.length >= MIN_LATENCY_SAMPLES && stable.latencyMs.length >= MIN_LATENCY_SAMPLES) {
    const latency = classifyMetric({ canary: canary.latencyMs, stable: stable.latencyMs, direction: 'increase', critical: false });
    comparisons.push({
      id: 'logs:http_latency_ms',
      name: 'http_latency_ms (access logs)',
      source: 'logs',
      classification: latency.classification,
      critical: false,
      direction: 'increase',
      canary: latency.canary,
      stable: latency.stable,
      ...(latency.pValue !== undefined ? { pValue: latency.pValue } : {}),
      ...(latency.effectSize !== undefined && Number.isFinite(latency.effectSize) ? { effectSize: latency.effectSize } : {}),
      unit: 'ms',
      note: latency.reason,
    });
    if (latency.classification === 'High') {
      findings.push({
        id: 'logs:http_latency_ms',
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
