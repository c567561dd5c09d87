/**
 * Replays the metric-ai plugin's calls against a running service for each scenario and collects the answers.
 */
import { pluginRequestBody, type Scenario } from '@aiops/testkit';

export interface ReplayResult {
  scenario: Scenario;
  status: number;
  promote?: boolean;
  confidence?: number;
  rootCause?: string;
  decidedBy?: string;
  prLink?: string;
  error?: string;
  /** Absent evidence: the error code of the non-200 answer (evidence_absent, overlapping_selectors). */
  errorCode?: string;
  ms: number;
  /** Entries in the answer's modelResults (one per model asked). */
  modelResults?: number;
  correct: boolean;
  answerBytes: number;
}

export async function replayScenario(baseUrl: string, scenario: Scenario, timeoutMs = 120_000): Promise<ReplayResult> {
  const started = performance.now();
  // Like the plugin: a health check first, then the analysis.
  await fetch(`${baseUrl}/`, { signal: AbortSignal.timeout(timeoutMs) });
  const res = await fetch(`${baseUrl}/a2a/analyze`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(pluginRequestBody(scenario)),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  const ms = Math.round(performance.now() - started);
  const body = JSON.parse(text) as {
    promote?: boolean;
    confidence?: number;
    rootCause?: string;
    decidedBy?: string;
    prLink?: string;
    modelResults?: unknown[];
    error?: { code: string; message: string };
  };
  const result: ReplayResult = { scenario, status: res.status, ms, correct: false, answerBytes: text.length };
  if (res.status === 200 && typeof body.promote === 'boolean') {
    result.promote = body.promote;
    if (body.confidence !== undefined) result.confidence = body.confidence;
    if (body.rootCause !== undefined) result.rootCause = body.rootCause;
    if (body.decidedBy !== undefined) result.decidedBy = body.decidedBy;
    if (body.prLink !== undefined) result.prLink = body.prLink;
    result.modelResults = Array.isArray(body.modelResults) ? body.modelResults.length : 0;
    // Thin evidence is right only when the promotion stays at or under the cap.
    const thinCapped = scenario.expected.inconclusive?.kind !== 'thin' || (body.confidence ?? 100) <= 60;
    result.correct =
      body.promote === scenario.expected.promote && scenario.expected.inconclusive?.kind !== 'absent' && thinCapped;
  } else {
    result.error = body.error?.message ?? `HTTP ${res.status}`;
    if (body.error?.code !== undefined) result.errorCode = body.error.code;
    // Absent evidence is answered right by its non-200, never by a verdict.
    const expected = scenario.expected.inconclusive;
    result.correct = expected?.kind === 'absent' && res.status === expected.status;
  }
  return result;
}

function cell(text: string, width: number): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat.padEnd(width);
}

export function formatTable(results: ReplayResult[]): string {
  const header = `${cell('scenario', 22)} ${cell('expected', 9)} ${cell('verdict', 9)} ${cell('conf', 4)} ${cell('ms', 6)} ${cell('ok', 3)} root cause`;
  const rows = results.map((r) => {
    const verdict = r.promote === undefined ? `HTTP ${r.status}` : r.promote ? 'promote' : 'reject';
    return `${cell(r.scenario.id, 22)} ${cell(r.scenario.expected.promote ? 'promote' : 'reject', 9)} ${cell(verdict, 9)} ${cell(String(r.confidence ?? '-'), 4)} ${cell(String(r.ms), 6)} ${cell(r.correct ? 'yes' : 'NO', 3)} ${cell(r.rootCause ?? r.error ?? '', 90)}`;
  });
  return [header, '-'.repeat(header.length + 60), ...rows].join('\n');
}
