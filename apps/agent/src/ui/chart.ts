/**
 * Small inline SVG charts: canary vs stable samples over the window, or the two means as bars when there is no
 * series. Numbers only reach the markup (formatted by us), so nothing here needs escaping beyond the labels.
 */
import { html, type Html } from './html.js';

const WIDTH = 240;
const HEIGHT = 64;
const PAD = 4;

function points(values: number[], min: number, max: number, count: number): string {
  const span = max - min || 1;
  const step = count > 1 ? (WIDTH - 2 * PAD) / (count - 1) : 0;
  return values
    .map(
      (v, i) => `${(PAD + i * step).toFixed(1)},${(HEIGHT - PAD - ((v - min) / span) * (HEIGHT - 2 * PAD)).toFixed(1)}`,
    )
    .join(' ');
}

const finite = (values: number[]) => values.filter((v) => Number.isFinite(v));

export function seriesChart(label: string, canary: number[], stable: number[]): Html {
  const c = finite(canary);
  const s = finite(stable);
  const all = [...c, ...s];
  if (all.length === 0) return html`<span class="muted">no samples</span>`;
  const min = Math.min(...all);
  const max = Math.max(...all);
  const count = Math.max(c.length, s.length);
  return html`<svg class="chart" role="img" aria-label="${label}: canary vs stable samples" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" data-chart="series"><title>${label}: canary (red) vs stable (blue), ${c.length} / ${s.length} samples, range ${fmt(min)}–${fmt(max)}</title><rect x="0" y="0" width="${WIDTH}" height="${HEIGHT}" fill="#fafafa" stroke="#ddd"/><polyline fill="none" stroke="#1f6feb" stroke-width="1.5" points="${points(s, min, max, count)}"/><polyline fill="none" stroke="#cf222e" stroke-width="1.5" points="${points(c, min, max, count)}"/></svg>`;
}

export function barsChart(label: string, canary: number | undefined, stable: number | undefined): Html {
  if (canary === undefined && stable === undefined) return html`<span class="muted">no data</span>`;
  const max = Math.max(Math.abs(canary ?? 0), Math.abs(stable ?? 0)) || 1;
  const bar = (value: number | undefined) => ((Math.abs(value ?? 0) / max) * (WIDTH - 2 * PAD)).toFixed(1);
  return html`<svg class="chart" role="img" aria-label="${label}: canary vs stable" width="${WIDTH}" height="28" viewBox="0 0 ${WIDTH} 28" data-chart="bars"><title>${label}: canary ${fmt(canary)} vs stable ${fmt(stable)}</title><rect x="${PAD}" y="3" height="10" width="${bar(canary)}" fill="#cf222e"/><rect x="${PAD}" y="15" height="10" width="${bar(stable)}" fill="#1f6feb"/></svg>`;
}

/** The canary's error rate per measurement of one rollout, oldest first. */
export function trendChart(rates: number[]): Html {
  if (rates.length === 0) return html`<span class="muted">no error rate measured</span>`;
  const max = Math.max(...rates, 0.0001);
  const values = rates.length === 1 ? [rates[0]!, rates[0]!] : rates;
  return html`<svg class="chart" role="img" aria-label="canary error rate across measurements" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" data-chart="trend"><title>canary error rate across measurements: ${rates.map((r) => `${(r * 100).toFixed(2)}%`).join(' → ')}</title><rect x="0" y="0" width="${WIDTH}" height="${HEIGHT}" fill="#fafafa" stroke="#ddd"/><polyline fill="none" stroke="#cf222e" stroke-width="2" points="${points(values, 0, max, values.length)}"/></svg>`;
}

export function fmt(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '-';
  if (Number.isInteger(n)) return String(n);
  return Math.abs(n) >= 100 ? n.toFixed(0) : n.toPrecision(3);
}
