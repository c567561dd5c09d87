/**
 * What `aiops-agent analyze` prints: the evidence as plain-text tables and the verdict. Pure functions of the
 * outcome, so the CLI and its tests share them.
 */
import type { AnalysisOutcome, MetricComparison, ProgressEvent } from '@aiops/contracts';

function cell(text: string, width: number): string {
  // Workload text must not move the terminal's cursor.
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this strips
  const controlCharacters = /[\u0000-\u001f\u007f-\u009f]/g;
  const flat = text.replace(controlCharacters, ' ').replace(/\s+/g, ' ').trim();
  return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat.padEnd(width);
}

function table(header: string[], widths: number[], rows: string[][]): string {
  const line = (cols: string[]) =>
    cols
      .map((c, i) => cell(c, widths[i] ?? 20))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const num = (n: number | undefined) =>
  n === undefined || !Number.isFinite(n) ? '-' : Number.isInteger(n) ? String(n) : n.toPrecision(4);
const side = (m: MetricComparison['canary'], unit?: string) =>
  `${num(m.median ?? m.mean)}${unit ? ` ${unit}` : ''} (n=${m.count})`;

export function formatOutcome(outcome: AnalysisOutcome): string {
  const e = outcome.evidence;
  const out: string[] = [];
  out.push(
    `Pods: ${e.pods.canary.length} canary, ${e.pods.stable.length} stable. Log events: ${e.logs.canaryLines} canary, ${e.logs.stableLines} stable.`,
  );
  if (e.findings.length > 0) {
    out.push('', 'Findings');
    out.push(
      table(
        ['id', 'side', 'severity', 'hard', 'finding'],
        [28, 7, 8, 4, 90],
        e.findings.slice(0, 20).map((f) => [f.id, f.side, f.severity, f.hard ? 'yes' : '', f.title]),
      ),
    );
  }
  if (e.logs.signatures.length > 0) {
    out.push('', 'Log signatures, canary vs stable (per 1,000 lines)');
    out.push(
      table(
        ['id', 'kind', 'canary', '/1k', 'stable', '/1k', 'template'],
        [7, 9, 6, 7, 6, 7, 80],
        e.logs.signatures
          .slice(0, 12)
          .map((s) => [
            s.id,
            s.kind ?? '',
            String(s.canary.count),
            s.canary.perThousand.toFixed(1),
            String(s.stable.count),
            s.stable.perThousand.toFixed(1),
            s.template,
          ]),
      ),
    );
  }
  if (e.metrics.comparisons.length > 0) {
    out.push('', `Metric comparisons (${e.metrics.source})`);
    out.push(
      table(
        ['metric', 'result', 'canary', 'stable'],
        [30, 8, 26, 26],
        e.metrics.comparisons.map((m) => [
          `${m.name}${m.critical ? ' *' : ''}`,
          m.classification,
          side(m.canary, m.unit),
          side(m.stable, m.unit),
        ]),
      ),
    );
  }
  const notes = [...e.metrics.notes, ...e.notes];
  if (notes.length > 0) out.push('', 'Notes', ...notes.slice(0, 8).map((n) => `  - ${cell(n, 150)}`));
  if (outcome.absent) {
    out.push('', `Verdict: none, nothing to judge (${outcome.absent.absence}): ${outcome.absent.reason}`);
    return out.join('\n');
  }
  const answer = outcome.answer;
  out.push(
    '',
    `Verdict: ${outcome.outcome.toUpperCase()} (confidence ${answer.confidence}, decided by ${outcome.verdict.decidedBy})`,
  );
  out.push(`Root cause: ${answer.rootCause}`, `Remediation: ${answer.remediation}`);
  if (answer.prLink) out.push(`PR: ${answer.prLink}`);
  return out.join('\n');
}

export function formatProgress(event: ProgressEvent, elapsedMs: number): string {
  const mark = { started: '…', finished: '✓', skipped: '-', failed: '✗' }[event.phase];
  return `${mark} ${event.agent.padEnd(16)} ${event.phase.padEnd(9)} ${String(elapsedMs).padStart(6)} ms${event.message ? `  ${cell(event.message, 100)}` : ''}`;
}
