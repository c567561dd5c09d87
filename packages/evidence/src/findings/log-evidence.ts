/**
 * The pure part of the log fetcher: log texts in, signature diff and findings out. Plain data both ways (structured
 * clone), so the service can run it on a worker thread when the text is large; nothing here reads the cluster.
 */
import type { Finding, LogDiff, MetricComparison, Side } from '@aiops/contracts';
import { diffLogSignatures, logFindings } from '../logs/diff.js';
import type { LogEvent } from '../logs/index.js';
import { parseLogEvents } from '../logs/parse.js';
import { accessLogEvidence } from './access-log.js';

/** One container's log as read (already redacted where it entered the process). */
export interface LogText {
  side: Side;
  pod: string;
  /** A mesh proxy's access log (istio-proxy, envoy): request evidence only, never error signatures. */
  proxy: boolean;
  text: string;
}

export interface LogEvidenceOptions {
  maxSignatures: number;
  examplesPerSignature: number;
  maxExampleChars: number;
}

export interface LogEvidence {
  logs: LogDiff;
  /** Access-log status codes and latencies, judged canary vs stable. */
  accessLog: MetricComparison[];
  /** Canary-only and canary-elevated error signatures. */
  logFindings: Finding[];
  /** What the access logs show (error rate, latency). */
  accessFindings: Finding[];
  /** Log events per side (app containers only). */
  events: Record<Side, number>;
}

/** The log texts' size in UTF-16 code units, the measure the service's worker threshold compares against. */
export const logTextSize = (texts: readonly LogText[]): number => texts.reduce((n, t) => n + t.text.length, 0);

export function logEvidence(texts: readonly LogText[], options: LogEvidenceOptions): LogEvidence {
  const events: Record<Side, LogEvent[]> = { canary: [], stable: [] };
  const appRequests: Array<{ side: Side; pod: string; events: LogEvent[] }> = [];
  const proxyRequests: Array<{ side: Side; events: LogEvent[] }> = [];
  const proxied = new Set<string>();
  for (const { side, pod, proxy, text } of texts) {
    if (!text) continue;
    const parsed = parseLogEvents(text);
    if (proxy) {
      const served = parsed.filter((e) => e.http !== undefined && !e.http.outbound);
      if (served.length > 0) {
        proxied.add(pod);
        proxyRequests.push({ side, events: served });
      }
      continue;
    }
    for (const event of parsed) events[side].push(event);
    appRequests.push({ side, pod, events: parsed.filter((e) => e.http !== undefined) });
  }
  const requests: Record<Side, LogEvent[]> = { canary: [], stable: [] };
  // The app's own access lines count only for pods without a proxy access log.
  for (const { side, pod, events: served } of appRequests) if (!proxied.has(pod)) requests[side].push(...served);
  for (const { side, events: served } of proxyRequests) requests[side].push(...served);

  const logs = diffLogSignatures(events, { ...options, redact: (s) => s });
  const access = accessLogEvidence(requests, { proxied: proxied.size > 0 });
  return {
    logs,
    accessLog: access.comparisons,
    logFindings: logFindings(logs),
    accessFindings: access.findings,
    events: { canary: events.canary.length, stable: events.stable.length },
  };
}
