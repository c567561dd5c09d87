/**
 * A readable explanation built from the evidence alone: what LLM_PROVIDER=none answers, and the fallback when the
 * model is unavailable or overruled. Operators read it in `kubectl argo rollouts get rollout`.
 */
import { EvidenceIds, parseEvidenceId } from '@aiops/contracts';
import type { Evidence, Finding, FindingKind, LogSignature } from '@aiops/contracts';
import type { EvidenceOutcome } from './assess.js';
import { oneLine } from '../logs/cause.js';

const REMEDIATION: Partial<Record<FindingKind, string>> = {
  'crash-loop':
    'Abort the rollout and fix the start-up failure shown in the previous container log, then roll forward with a new revision.',
  'oom-killed':
    'Abort the rollout; the canary exceeds its memory limit. Find the allocation growth introduced by this revision (or raise the limit if the new footprint is expected) and roll forward.',
  'image-pull':
    'Abort the rollout; fix the image reference (tag, digest, registry credentials or imagePullSecrets) in the Rollout spec.',
  'config-error':
    'Abort the rollout; fix the container configuration (missing ConfigMap/Secret key, invalid command) referenced in the message.',
  panic:
    'Abort the rollout and fix the panic at the source frame shown (guard the nil value or handle the error), then roll forward.',
  exception: 'Abort the rollout and fix the unhandled exception at the source frame shown, then roll forward.',
  'error-signature': 'Hold the rollout and investigate the new error messages that only the canary logs.',
  restarts: 'Hold the rollout and find why the canary container restarts (its previous log and termination reason).',
  terminated: 'Abort the rollout; an init container of the canary fails.',
  'metric-regression': 'Hold the rollout; the canary regresses on the metric shown compared with stable.',
};

/** The line that names the cause when the parser found none: the deepest `Caused by:` of a Java chain, else the headline. */
function causeLine(signature: LogSignature | undefined): string | undefined {
  if (signature?.cause !== undefined) return signature.cause;
  const lines = signature?.examples[0]?.split('\n') ?? [];
  const cause =
    lines
      .filter((l) => /^\s*Caused by:/.test(l))
      .at(-1)
      ?.trim() ?? lines[0]?.trim();
  if (!cause) return undefined;
  // Wrapped exceptions put the innermost cause at the end of a long headline: keep both ends.
  return oneLine(cause.length <= 300 ? cause : `${cause.slice(0, 90)} … ${cause.slice(-200)}`);
}

const KIND_ORDER: Record<string, number> = { panic: 0, exception: 1, oom: 2, fatal: 3, error: 4 };

/** Canary-only or canary-heavier error templates, crashes first. */
function topCanaryErrors(evidence: Evidence): LogSignature[] {
  return evidence.logs.signatures
    .filter(
      (s) => s.errorLike && s.canary.count > 0 && (s.canaryOnly || s.canary.perThousand > 2 * s.stable.perThousand),
    )
    .sort((a, b) => (KIND_ORDER[a.kind ?? 'error'] ?? 5) - (KIND_ORDER[b.kind ?? 'error'] ?? 5));
}

/**
 * One line: for a log finding, what it is and the innermost error with its application frame; otherwise the finding
 * and what the canary logs. Never a raw stack (the finding's detail holds one), brackets always balanced.
 */
function rootCauseOf(primary: Finding, evidence: Evidence): string {
  if (parseEvidenceId(primary.id)?.kind === 'log') {
    const signature = evidence.logs.signatures.find((s) => EvidenceIds.logSignature(s.id) === primary.id);
    const cause = signature?.cause;
    const what = primary.title.split(': ')[0] ?? primary.title;
    if (cause === undefined) return oneLine(primary.title);
    // An outer error type the innermost cause does not repeat (UnhandledPromiseRejection, ServletException) stays.
    const outer = /^([A-Za-z_$][\w.$]*(?:Error|Exception|Rejection))\b/.exec(signature?.template ?? '')?.[1];
    return oneLine(outer !== undefined && !cause.includes(outer) ? `${what}: ${outer}: ${cause}` : `${what}: ${cause}`);
  }
  const example = causeLine(topCanaryErrors(evidence)[0]);
  const detail = primary.detail ? ` (${oneLine(primary.detail.split('\n')[0] ?? '', 200)})` : '';
  return oneLine(example ? `${primary.title}${detail}; the canary logs: ${example}` : `${primary.title}${detail}`);
}

export function explainFromEvidence(
  evidence: Evidence,
  assessment: { outcome: EvidenceOutcome; reasons: string[] },
): {
  analysis: string;
  rootCause: string;
  remediation: string;
} {
  const { request, pods, logs, metrics } = evidence;
  const target = request.rolloutName
    ? `rollout ${request.namespace}/${request.rolloutName}`
    : `namespace ${request.namespace}`;
  const lines: string[] = [
    `Canary vs stable for ${target}: ${pods.canary.length} canary pod(s) (${request.canarySelector}), ${pods.stable.length} stable pod(s) (${request.stableSelector}); ${logs.canaryLines} canary and ${logs.stableLines} stable log events compared.`,
  ];
  if (evidence.rollout?.revision) {
    lines.push(
      `Rollout revision ${evidence.rollout.revision}${evidence.rollout.canaryWeight !== undefined ? `, canary weight ${evidence.rollout.canaryWeight}%` : ''}.`,
    );
  }
  const canaryFindings = evidence.findings.filter((f) => f.side === 'canary' && f.severity !== 'info');
  const hard = canaryFindings.filter((f) => f.hard);
  if (hard.length > 0)
    lines.push(
      `Hard failures in the canary: ${hard
        .slice(0, 5)
        .map((f) => `[${f.id}] ${f.title}`)
        .join('; ')}.`,
    );
  const soft = canaryFindings.filter((f) => !f.hard);
  if (soft.length > 0)
    lines.push(
      `Other canary findings: ${soft
        .slice(0, 5)
        .map((f) => `[${f.id}] ${f.title}`)
        .join('; ')}.`,
    );
  const shared = logs.signatures.filter(
    (s) => s.errorLike && !s.canaryOnly && s.stable.count > 0 && s.canary.count > 0,
  );
  if (shared.length > 0)
    lines.push(
      `${shared.length} error template(s) appear on both sides at comparable rates and are not attributed to the canary.`,
    );
  const failing = metrics.comparisons.filter((m) => m.classification === 'High' || m.classification === 'Low');
  if (failing.length > 0)
    lines.push(`Metrics worse in the canary: ${failing.map((m) => `${m.name} ${m.classification}`).join(', ')}.`);
  else if (metrics.comparisons.some((m) => m.classification === 'Pass'))
    lines.push('Compared metrics show no canary regression.');
  for (const note of [...metrics.notes, ...evidence.notes].slice(0, 4)) lines.push(note);
  const info = evidence.findings.filter((f) => f.side === 'canary' && f.severity === 'info');
  for (const f of info.slice(0, 2)) lines.push(f.title + '.');

  const primary = hard[0] ?? soft.find((f) => f.severity === 'error' || f.severity === 'critical');
  // The decision and its reason come first, in one sentence: the plugin keeps `analysis` and operators read its start.
  let decision: string;
  switch (assessment.outcome) {
    case 'fail':
    case 'suspect':
      decision = `Do not promote: ${primary ? oneLine(primary.title, 240) : assessment.outcome === 'fail' ? 'hard failure in the canary' : 'the canary shows errors that stable does not'}.`;
      break;
    case 'absent':
      decision = `No verdict: ${assessment.reasons[0] ?? 'nothing to compare'}.`;
      break;
    case 'thin':
      decision = `Promote with low confidence: the evidence is thin; ${assessment.reasons[0] ?? 'the canary has served almost nothing yet'}.`;
      break;
    case 'pass':
      decision = `Promote: no canary-only errors, crashes or regressions in ${logs.canaryLines} canary and ${logs.stableLines} stable log events.`;
      break;
  }
  lines.unshift(decision);

  if (!primary || assessment.outcome === 'pass' || assessment.outcome === 'thin' || assessment.outcome === 'absent') {
    return { analysis: lines.join(' '), rootCause: 'none', remediation: 'none required' };
  }
  return {
    analysis: lines.join(' '),
    rootCause: rootCauseOf(primary, evidence),
    remediation:
      REMEDIATION[primary.kind] ?? 'Hold the rollout and investigate the canary findings listed in the analysis.',
  };
}
