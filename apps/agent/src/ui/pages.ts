/**
 * The read-only pages of /ui, as pure functions of what the history store returned.
 */
import { EvidenceIds } from '@aiops/contracts';
import type {
  AnalysisRecord,
  AnalysisSummary,
  ContainerInfo,
  MetricComparison,
  PodInfo,
  VerdictWord,
} from '@aiops/contracts';
import { NEW_SINCE_LAST, SEEN_BEFORE } from '@aiops/evidence';
import { barsChart, fmt, seriesChart, trendChart } from './chart.js';
import { html, safeHref, type Html } from './html.js';

export interface ListFilter {
  namespace?: string;
  verdict?: VerdictWord;
}

function page(title: string, body: Html): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${title} · aiops-agent</title>
<link rel="icon" href="/ui/assets/icon.svg"><link rel="stylesheet" href="/ui/assets/style.css"></head>
<body><header><a href="/ui" class="brand">aiops-agent</a> <span class="muted">canary analyses</span></header>
<main>${body}</main></body></html>`.value;
}

const percent = (x: number | undefined) => (x === undefined ? '-' : `${(x * 100).toFixed(x > 0 && x < 0.01 ? 2 : 1)}%`);

function verdictBadge(verdict: VerdictWord): Html {
  return html`<span class="badge ${verdict}">${verdict}</span>`;
}

function prLinkCell(url: string | undefined): Html {
  const href = safeHref(url);
  if (href) return html`<a href="${href}" rel="noopener noreferrer">${url}</a>`;
  return html`${url ?? ''}`;
}

function rolloutLabel(s: Pick<AnalysisSummary, 'namespace' | 'rolloutName' | 'key'>): string {
  return s.rolloutName ? `${s.namespace}/${s.rolloutName}` : s.key;
}

export function listPage(rows: AnalysisSummary[], filter: ListFilter, namespaces: string[]): string {
  const option = (value: string, label: string, selected: boolean) =>
    html`<option value="${value}"${selected ? html` selected` : ''}>${label}</option>`;
  const body = html`<h1>Recent analyses</h1>
<form method="get" action="/ui" class="filters">
  <label>Namespace <select name="namespace">${option('', 'all', !filter.namespace)}${namespaces.map((n) => option(n, n, filter.namespace === n))}</select></label>
  <label>Verdict <select name="verdict">${option('', 'all', !filter.verdict)}${option('promote', 'promote', filter.verdict === 'promote')}${option('reject', 'reject', filter.verdict === 'reject')}${option('inconclusive', 'inconclusive', filter.verdict === 'inconclusive')}</select></label>
  <button type="submit">Filter</button>
</form>
${
  rows.length === 0
    ? html`<p class="muted" id="empty">No analyses yet${filter.namespace || filter.verdict ? ' for this filter' : ''}. They appear here as the metric-ai plugin, A2A callers or the CLI ask.</p>`
    : html`<table id="analyses"><thead><tr><th>Rollout</th><th>Time</th><th>Verdict</th><th>Confidence</th><th>Decided by</th><th>Reason</th><th>PR</th></tr></thead><tbody>
${rows.map(
  (
    r,
  ) => html`<tr data-verdict="${r.verdict}" data-namespace="${r.namespace}"><td><a href="/ui/analyses/${encodeURIComponent(r.id)}">${rolloutLabel(r)}</a></td><td><time datetime="${r.finishedAt}">${r.finishedAt.replace('T', ' ').slice(0, 19)}</time></td><td>${verdictBadge(r.verdict)}</td><td>${r.confidence}</td><td>${r.decidedBy}</td><td class="reason">${r.reason}</td><td>${prLinkCell(r.prLink)}</td></tr>
`,
)}</tbody></table>`
}`;
  return page('Recent analyses', body);
}

function containerState(c: ContainerInfo): string {
  const parts = [
    `${c.name}: ${c.current.state}${c.current.reason ? ` (${c.current.reason})` : ''}`,
    `restarts ${c.restartCount}`,
  ];
  if (c.last)
    parts.push(
      `last ${c.last.state}${c.last.reason ? ` (${c.last.reason})` : ''}${c.last.exitCode !== undefined ? ` exit ${c.last.exitCode}` : ''}`,
    );
  return parts.join(', ');
}

function podRows(side: 'canary' | 'stable', pods: PodInfo[]): Html[] {
  return pods.map(
    (p) =>
      html`<tr class="${side}"><td>${side}</td><td>${p.name}</td><td>${p.phase}</td><td>${p.ready ? 'yes' : 'no'}</td><td>${p.containers.map((c) => html`<div>${containerState(c)}</div>`)}</td></tr>`,
  );
}

function metricChart(m: MetricComparison): Html {
  if (m.samples && (m.samples.canary.length > 1 || m.samples.stable.length > 1))
    return seriesChart(m.name, m.samples.canary, m.samples.stable);
  return barsChart(m.name, m.canary.median ?? m.canary.mean, m.stable.median ?? m.stable.mean);
}

function metricValue(side: MetricComparison['canary'], unit: string | undefined): string {
  const v = side.median ?? side.mean;
  return `${fmt(v)}${unit ? ` ${unit}` : ''} (n=${side.count})`;
}

export function analysisPage(record: AnalysisRecord, timeline: AnalysisSummary[]): string {
  const e = record.evidence;
  const seen = new Set(e.history?.seenBefore.map((p) => p.id));
  const fresh = new Set(e.history?.newSinceLast.map((p) => p.id));
  const marker = (id: string) =>
    seen.has(id)
      ? html`<span class="tag seen">${SEEN_BEFORE}</span>`
      : fresh.has(id)
        ? html`<span class="tag new">${NEW_SINCE_LAST}</span>`
        : '';
  const chronological = [...timeline].reverse();
  const trend = chronological.filter((t) => t.errorRate).map((t) => t.errorRate!.canary);
  const warnings = e.events.filter((ev) => ev.type === 'Warning');
  const timings = Object.entries(record.timings);

  const body = html`<p><a href="/ui">← all analyses</a></p>
<h1>${rolloutLabel(record)} ${verdictBadge(record.verdict)}</h1>
<dl class="facts">
  <dt>Finished</dt><dd><time datetime="${record.finishedAt}">${record.finishedAt}</time> (${record.durationMs} ms)</dd>
  <dt>Confidence</dt><dd id="confidence">${record.confidence}</dd>
  <dt>Decided by</dt><dd>${record.decidedBy}</dd>
  <dt>Selectors</dt><dd>canary <code>${record.request.canarySelector}</code>, stable <code>${record.request.stableSelector}</code></dd>
  ${record.prLink ? html`<dt>PR</dt><dd>${prLinkCell(record.prLink)}</dd>` : ''}
  ${e.rollout ? html`<dt>Rollout</dt><dd>revision ${e.rollout.revision ?? '-'}, canary weight ${e.rollout.canaryWeight ?? '-'}%, images ${e.rollout.images.join(', ')}</dd>` : ''}
</dl>
<section><h2>Verdict</h2>
<h3>Root cause</h3><p class="text" id="root-cause">${record.rootCause}</p>
<h3>Remediation</h3><p class="text">${record.remediation}</p>
<h3>Analysis</h3><p class="text" id="analysis">${record.analysis}</p>
${record.disagreement ? html`<h3>Disagreement</h3><p class="text">${record.disagreement}</p>` : ''}
</section>

<section id="timeline"><h2>Measurements of this rollout</h2>
<div class="trend">${trendChart(trend)} <span class="muted">canary error rate, oldest first</span></div>
<table><thead><tr><th>Time</th><th>Verdict</th><th>Confidence</th><th>Canary error rate</th><th>Stable error rate</th><th>Reason</th></tr></thead><tbody>
${chronological.map(
  (t) =>
    html`<tr${t.id === record.id ? html` class="current"` : ''}><td><a href="/ui/analyses/${encodeURIComponent(t.id)}">${t.finishedAt.replace('T', ' ').slice(0, 19)}</a></td><td>${verdictBadge(t.verdict)}</td><td>${t.confidence}</td><td>${percent(t.errorRate?.canary)}</td><td>${percent(t.errorRate?.stable)}</td><td class="reason">${t.reason}</td></tr>`,
)}</tbody></table></section>

<section><h2>Findings</h2>
${
  e.findings.length === 0
    ? html`<p class="muted">none</p>`
    : html`<table id="findings"><thead><tr><th>Id</th><th>Side</th><th>Severity</th><th>Hard</th><th>Finding</th></tr></thead><tbody>
${e.findings.map((f) => html`<tr class="${f.severity}"><td><code>${f.id}</code></td><td>${f.side}</td><td>${f.severity}</td><td>${f.hard ? 'yes' : ''}</td><td>${f.title} ${marker(f.id)}${f.detail ? html`<div class="detail">${f.detail}</div>` : ''}</td></tr>`)}
</tbody></table>`
}</section>

<section><h2>Log signatures, canary vs stable</h2>
<p class="muted">${e.logs.canaryLines} canary and ${e.logs.stableLines} stable log events; rates per 1,000 lines.${e.logs.omitted > 0 ? ` ${e.logs.omitted} signatures not shown.` : ''}</p>
${
  e.logs.signatures.length === 0
    ? html`<p class="muted">none</p>`
    : html`<table id="signatures"><thead><tr><th>Id</th><th>Kind</th><th>Template</th><th>Canary</th><th>Canary /1k</th><th>Stable</th><th>Stable /1k</th></tr></thead><tbody>
${e.logs.signatures.map(
  (s) =>
    html`<tr class="${s.canaryOnly && s.errorLike ? 'canary-only' : ''}"><td><code>${s.id}</code></td><td>${s.kind ?? ''}</td><td><code class="template">${s.template}</code>${marker(EvidenceIds.logSignature(s.id))}${s.examples.length > 0 ? html`<details><summary>examples</summary>${s.examples.map((x) => html`<pre>${x}</pre>`)}</details>` : ''}</td><td>${s.canary.count}</td><td>${s.canary.perThousand.toFixed(1)}</td><td>${s.stable.count}</td><td>${s.stable.perThousand.toFixed(1)}</td></tr>`,
)}</tbody></table>`
}</section>

<section><h2>Metric comparisons</h2>
<p class="muted">Source: ${e.metrics.source}${e.metrics.score !== undefined ? `, score ${e.metrics.score}` : ''}. Red: canary, blue: stable.</p>
${
  e.metrics.comparisons.length === 0
    ? html`<p class="muted">none</p>`
    : html`<table id="metrics"><thead><tr><th>Metric</th><th>Result</th><th>Canary</th><th>Stable</th><th>Chart</th></tr></thead><tbody>
${e.metrics.comparisons.map(
  (m) =>
    html`<tr class="${m.classification}"><td>${m.name}${m.critical ? html` <span class="tag">critical</span>` : ''}${m.note ? html`<div class="detail">${m.note}</div>` : ''}</td><td>${m.classification}${m.pValue !== undefined ? html`<div class="detail">p=${fmt(m.pValue)}</div>` : ''}</td><td>${metricValue(m.canary, m.unit)}</td><td>${metricValue(m.stable, m.unit)}</td><td>${metricChart(m)}</td></tr>`,
)}</tbody></table>`
}
${e.metrics.notes.length + e.notes.length > 0 ? html`<ul class="notes">${[...e.metrics.notes, ...e.notes].map((n) => html`<li>${n}</li>`)}</ul>` : ''}
</section>

<section><h2>Pods</h2>
<table id="pods"><thead><tr><th>Side</th><th>Pod</th><th>Phase</th><th>Ready</th><th>Containers</th></tr></thead><tbody>
${podRows('canary', e.pods.canary)}${podRows('stable', e.pods.stable)}
</tbody></table></section>

${
  warnings.length > 0
    ? html`<section><h2>Warning events</h2><table><thead><tr><th>Reason</th><th>Object</th><th>Count</th><th>Message</th></tr></thead><tbody>
${warnings.map((ev) => html`<tr><td>${ev.reason}</td><td>${ev.objectKind}/${ev.objectName}</td><td>${ev.count}</td><td>${ev.message}</td></tr>`)}
</tbody></table></section>`
    : ''
}

<section><h2>Agents</h2>
<table><thead><tr><th>Agent</th><th>Time</th></tr></thead><tbody>${timings.map(([agent, ms]) => html`<tr><td>${agent}</td><td>${ms} ms</td></tr>`)}</tbody></table></section>

<section id="model"><h2>Model</h2>
${
  record.model
    ? html`<p>${record.model.modelName}${record.model.attempts !== undefined ? `, ${record.model.attempts} attempt(s)` : ''}${record.model.executionTimeMs !== undefined ? `, ${record.model.executionTimeMs} ms` : ''}${record.model.usage ? `, ${record.model.usage.inputTokens} input / ${record.model.usage.outputTokens} output tokens` : ''}</p>
${record.model.error ? html`<p class="error">The model failed: ${record.model.error}</p>` : ''}
${record.model.prompt ? html`<details><summary>System prompt</summary><pre>${record.model.system}</pre></details><h3>Prompt sent</h3><pre id="prompt">${record.model.prompt}</pre>` : ''}
${record.model.rawAnswer !== undefined ? html`<h3>The model's answer</h3><pre id="model-answer">${record.model.rawAnswer}</pre>` : ''}`
    : html`<p class="muted">No model was asked (LLM_PROVIDER=none): the evidence decided.</p>`
}
</section>`;
  return page(`${rolloutLabel(record)} ${record.verdict}`, body);
}

export function notFoundPage(id: string): string {
  return page(
    'Not found',
    html`<p><a href="/ui">← all analyses</a></p><h1>No analysis ${id}</h1><p class="muted">It may have been evicted from the history (bounded by HISTORY_MAX_ANALYSES and HISTORY_MAX_BYTES).</p>`,
  );
}
