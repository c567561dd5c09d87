/**
 * The log signature diff: canary and stable events grouped into shared templates, counted and rated per side,
 * ranked so that what only (or far more often) happens in the canary comes first.
 */
import { EvidenceIds } from '@aiops/contracts';
import type { Finding, LogDiff, LogSignature, Severity } from '@aiops/contracts';
import { createTemplater } from './templater.js';
import type { LogEvent, LogEventKind } from './types.js';

export interface LogDiffOptions {
  maxSignatures: number;
  examplesPerSignature: number;
  maxExampleChars: number;
  redact: (text: string) => string;
  /** Canary rate must be at least this multiple of stable's to count as elevated. Default 2. */
  elevatedRatio?: number;
  /** ...and happen at least this often in the canary. Default 3. */
  elevatedMinCount?: number;
}

const ERROR_KINDS = new Set<LogEventKind>(['panic', 'exception', 'oom', 'fatal', 'error']);
const SEVERITY_RANK: Record<Severity, number> = { critical: 0, error: 1, warning: 2, info: 3 };
const DEFAULT_ELEVATED_RATIO = 2;
const DEFAULT_ELEVATED_MIN_COUNT = 3;
const MAX_TEMPLATE_CHARS = 500;

function severityOf(kind: LogEventKind): Severity {
  switch (kind) {
    case 'panic':
    case 'oom':
    case 'fatal':
      return 'critical';
    case 'exception':
    case 'error':
      return 'error';
    case 'warning':
      return 'warning';
    case 'info':
      return 'info';
  }
}

/** Whether an error-like signature happens markedly more often in the canary than in stable. */
export function isCanaryElevated(
  signature: LogSignature,
  ratio = DEFAULT_ELEVATED_RATIO,
  minCount = DEFAULT_ELEVATED_MIN_COUNT,
): boolean {
  if (!signature.errorLike || signature.canaryOnly || signature.canary.count < minCount) return false;
  return signature.canary.perThousand >= ratio * signature.stable.perThousand;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

interface Group {
  templateId: string;
  kind: LogEventKind;
  canary: number;
  stable: number;
  /** Canary examples first (the canary is collected first): they show what the canary does differently. */
  examples: string[];
  frames: string[];
  cause?: string;
}

export function diffLogSignatures(input: { canary: LogEvent[]; stable: LogEvent[] }, options: LogDiffOptions): LogDiff {
  const ratio = options.elevatedRatio ?? DEFAULT_ELEVATED_RATIO;
  const minCount = options.elevatedMinCount ?? DEFAULT_ELEVATED_MIN_COUNT;
  const templater = createTemplater();
  const groups = new Map<string, Group>();
  const exampleLimit = Math.max(0, options.examplesPerSignature);

  const collect = (events: LogEvent[], side: 'canary' | 'stable'): void => {
    for (const event of events) {
      const kind = event.kind ?? 'info';
      // A 5xx access line and a 2xx one share a template; the kind keeps them apart.
      const templateId = templater.add(event.message);
      const key = `${kind}\u0000${templateId}`;
      let group = groups.get(key);
      if (group === undefined) {
        group = { templateId, kind, canary: 0, stable: 0, examples: [], frames: [] };
        groups.set(key, group);
      }
      group[side]++;
      // Raw text is kept as-is here and redacted once at the end, only for the examples that survive.
      if (group.examples.length < exampleLimit) group.examples.push(event.raw.slice(0, options.maxExampleChars * 4));
      if (group.frames.length === 0 && event.frames.length > 0) group.frames = event.frames.slice(0, 10);
      if (group.cause === undefined && event.cause !== undefined && side === 'canary') group.cause = event.cause;
    }
  };
  collect(input.canary, 'canary');
  collect(input.stable, 'stable');

  const canaryLines = input.canary.length;
  const stableLines = input.stable.length;
  const perThousand = (count: number, total: number): number =>
    total === 0 ? 0 : Math.round((count / total) * 1000 * 100) / 100;

  const ranked = [...groups.values()].map((group) => {
    const severity = severityOf(group.kind);
    const signature: LogSignature = {
      id: '',
      template: group.templateId,
      severity,
      errorLike: ERROR_KINDS.has(group.kind),
      kind: group.kind,
      canary: { count: group.canary, perThousand: perThousand(group.canary, canaryLines) },
      stable: { count: group.stable, perThousand: perThousand(group.stable, stableLines) },
      canaryOnly: group.canary > 0 && group.stable === 0,
      examples: [],
    };
    return { signature, group };
  });

  const tier = (s: LogSignature): number => {
    if (s.errorLike && s.canaryOnly) return 0;
    if (isCanaryElevated(s, ratio, minCount)) return 1;
    if (s.errorLike) return 2;
    return 3;
  };
  ranked.sort((a, b) => {
    const x = a.signature;
    const y = b.signature;
    return (
      tier(x) - tier(y) ||
      SEVERITY_RANK[x.severity] - SEVERITY_RANK[y.severity] ||
      (tier(x) === 1 ? rateRatio(y) - rateRatio(x) : 0) ||
      y.canary.perThousand - x.canary.perThousand ||
      y.canary.count + y.stable.count - (x.canary.count + x.stable.count)
    );
  });

  const kept = ranked.slice(0, Math.max(0, options.maxSignatures));
  const signatures = kept.map(({ signature, group }, index) => {
    signature.id = `sig-${index + 1}`;
    signature.template = truncate(options.redact(templater.templateOf(group.templateId) ?? ''), MAX_TEMPLATE_CHARS);
    signature.examples = group.examples.map((example) => truncate(options.redact(example), options.maxExampleChars));
    if (group.frames.length > 0) signature.frames = group.frames;
    if (group.cause !== undefined) signature.cause = options.redact(group.cause);
    return signature;
  });
  return { canaryLines, stableLines, signatures, omitted: ranked.length - kept.length };
}

function rateRatio(s: LogSignature): number {
  return s.stable.perThousand === 0 ? Number.POSITIVE_INFINITY : s.canary.perThousand / s.stable.perThousand;
}

function findingKind(signature: LogSignature): Finding['kind'] {
  if (signature.kind === 'panic') return 'panic';
  if (signature.kind === 'exception') return 'exception';
  return 'error-signature';
}

function headline(signature: LogSignature): string {
  const text = signature.template.replace(/^(?:panic|fatal error): /, '');
  return truncate(text, 300);
}

/** One finding per canary-only or canary-elevated error-like signature; shared noise yields none. */
export function logFindings(
  diff: LogDiff,
  options: { elevatedRatio?: number; elevatedMinCount?: number } = {},
): Finding[] {
  const findings: Finding[] = [];
  for (const signature of diff.signatures) {
    const elevated = isCanaryElevated(signature, options.elevatedRatio, options.elevatedMinCount);
    if (!signature.errorLike || !(signature.canaryOnly || elevated)) continue;
    const kind = findingKind(signature);
    // An exception signature always carries a stack trace: the parser only gives that kind to stack events.
    const hard = signature.canaryOnly && (kind === 'panic' || kind === 'exception');
    const what = kind === 'error-signature' ? (signature.kind === 'oom' ? 'out-of-memory error' : 'error') : kind;
    const rate = `${signature.canary.count} events, ${signature.canary.perThousand.toFixed(1)}/1k`;
    const title = signature.canaryOnly
      ? `canary-only ${what} (${rate}): ${headline(signature)}`
      : `canary-elevated ${what} (${rate} vs ${signature.stable.perThousand.toFixed(1)}/1k in stable): ${headline(signature)}`;
    const finding: Finding = {
      id: EvidenceIds.logSignature(signature.id),
      kind,
      side: 'canary',
      severity: hard || signature.severity === 'critical' ? 'critical' : 'error',
      hard,
      title,
    };
    const frames = signature.frames ?? [];
    const detail = [frames.length > 0 ? `frames: ${frames.join(', ')}` : '', ...signature.examples.slice(0, 1)].filter(
      (s) => s !== '',
    );
    if (detail.length > 0) finding.detail = detail.join('\n');
    findings.push(finding);
  }
  return findings;
}
