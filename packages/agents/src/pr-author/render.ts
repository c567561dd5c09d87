/**
 * Issue and PR texts, built from validated evidence. Everything that came from the canary or the model is redacted
 * and escaped (markdown.ts); the only raw markup is ours.
 */
import type { AnalysisRequest, Evidence, Verdict } from '@aiops/contracts';
import type { RemediationKey } from './key.js';
import { codeBlock, escapeProse, escapeTitle, inlineCode } from './markdown.js';
import type { RedFlag } from './red-flags.js';

export type Redact = (text: string) => string;

const FIX_OUTCOME_MARKER = '<!-- aiops-agent:fix-outcome -->';
/** Ends the note: a suggested diff has blank lines, so the note cannot end at the first one. */
const FIX_OUTCOME_END = '<!-- aiops-agent:fix-outcome-end -->';
const MAX_BODY = 60_000; // GitHub's limit is 65,536 characters

export function issueTitle(k: RemediationKey, evidence: Evidence, redact: Redact): string {
  const hard = evidence.findings.find((f) => f.hard && f.side !== 'stable');
  const headline = hard?.title ?? k.topSignature?.template ?? 'canary worse than stable';
  return escapeTitle(`Canary ${k.namespace}/${k.rollout} rejected (revision ${k.revision}): ${redact(headline)}`);
}

function fmt(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '–';
  return Math.abs(n) >= 100 ? n.toFixed(0) : Number(n.toPrecision(3)).toString();
}

export interface IssueBodyInput {
  key: RemediationKey;
  request: AnalysisRequest;
  verdict: Verdict;
  evidence: Evidence;
  redact: Redact;
  /** Shown in the "Automated fix" section. */
  fixNote: string;
}

export function issueBody(input: IssueBodyInput): string {
  const { key, verdict, evidence, redact } = input;
  const prose = (text: string, max?: number) => escapeProse(redact(text), max);
  const out: string[] = [];
  out.push(
    `The canary of **${prose(key.namespace)}/${prose(key.rollout)}** was rejected by aiops-agent: do not promote.`,
    '',
  );
  out.push('| | |', '|---|---|');
  out.push(`| Verdict | promote: false, confidence ${verdict.confidence}, decided by ${prose(verdict.decidedBy)} |`);
  out.push(`| Namespace / rollout | ${prose(key.namespace)} / ${prose(key.rollout)} |`);
  out.push(`| Canary revision | ${prose(key.revision)} |`);
  const images = evidence.rollout?.images ?? [
    ...new Set(evidence.pods.canary.flatMap((p) => p.containers.map((c) => c.image))),
  ];
  if (images.length > 0)
    out.push(
      `| Images | ${images
        .slice(0, 5)
        .map((i) => inlineCode(redact(i), 200))
        .join(', ')} |`,
    );
  out.push(`| Canary pods | ${evidence.pods.canary.length} (stable ${evidence.pods.stable.length}) |`);
  out.push(`| Collected | ${prose(evidence.collectedAt)} |`, '');

  const hard = evidence.findings.filter((f) => f.hard && f.side !== 'stable');
  if (hard.length > 0) {
    out.push('### Hard failures in the canary');
    for (const f of hard.slice(0, 10))
      out.push(
        `- **${prose(f.kind)}**: ${prose(f.title, 300)}${f.detail ? ` — ${prose(f.detail, 500)}` : ''} (${inlineCode(f.id, 100)})`,
      );
    out.push('');
  }

  const signatures = evidence.logs.signatures.filter(
    (s) => s.errorLike && s.canary.count > 0 && (s.canaryOnly || s.canary.perThousand > s.stable.perThousand),
  );
  if (signatures.length > 0) {
    out.push('### Error signatures of the canary');
    for (const s of signatures.slice(0, 5)) {
      const where = s.canaryOnly
        ? 'canary only'
        : `canary ${fmt(s.canary.perThousand)}‰ vs stable ${fmt(s.stable.perThousand)}‰`;
      out.push(
        `- ${inlineCode(redact(s.template))}: ${s.canary.count}× in the canary, ${s.stable.count}× in stable (${where})`,
      );
      const examples = s.examples.slice(0, 3).map((e) => redact(e).slice(0, 400));
      if (examples.length > 0) out.push('', codeBlock(examples), '');
    }
    out.push('');
  }

  const comparisons = evidence.metrics.comparisons.filter((c) => c.classification !== 'Pass' || c.critical);
  if (comparisons.length > 0) {
    out.push(
      `### Metrics (${prose(evidence.metrics.source)}${evidence.metrics.score === undefined ? '' : `, score ${evidence.metrics.score}`})`,
    );
    out.push('| metric | result | canary median | stable median | critical |', '|---|---|---|---|---|');
    for (const c of comparisons.slice(0, 10)) {
      const unit = c.unit ? ` ${prose(c.unit)}` : '';
      out.push(
        `| ${prose(c.name)} | ${c.classification} | ${fmt(c.canary.median)}${unit} | ${fmt(c.stable.median)}${unit} | ${c.critical ? 'yes' : 'no'} |`,
      );
    }
    out.push('');
  }

  out.push('### Diagnosis');
  out.push(`**Root cause:** ${prose(verdict.rootCause)}`, '');
  out.push(`**Remediation:** ${prose(verdict.remediation)}`, '');
  out.push(`<details><summary>Analysis</summary>`, '', prose(verdict.analysis, 4000), '', '</details>', '');

  out.push('### Automated fix', FIX_OUTCOME_MARKER, input.fixNote, FIX_OUTCOME_END, '');
  out.push(
    '_Opened by aiops-agent. Repeated measurements of this revision and root cause update this issue instead of opening new ones._',
  );
  out.push(key.marker);
  let body = out.join('\n');
  if (body.length > MAX_BODY) body = `${body.slice(0, MAX_BODY - key.marker.length - 20)}\n…(truncated)\n${key.marker}`;
  return body;
}

/** Replaces the "Automated fix" note of an issue body written by issueBody (older bodies end it at a blank line). */
export function withFixNote(body: string, note: string): string {
  const start = body.indexOf(FIX_OUTCOME_MARKER);
  if (start < 0) return body;
  const from = start + FIX_OUTCOME_MARKER.length;
  const closed = body.indexOf(FIX_OUTCOME_END, from);
  const end = closed >= 0 ? closed : body.indexOf('\n\n', from + 1);
  const rest = end < 0 ? '' : closed >= 0 ? body.slice(end) : `\n${FIX_OUTCOME_END}${body.slice(end)}`;
  const updated = `${body.slice(0, from)}\n${note}\n${rest}`;
  return updated.length > MAX_BODY ? `${body.slice(0, from)}\n${note.slice(0, 2000)}\n…(truncated)\n${rest}` : updated;
}

const FLAG_TITLES: Record<RedFlag['kind'], string> = {
  'process-execution': 'process execution',
  network: 'network call',
  environment: 'environment variables',
  'secret-file': 'secret files',
  'dynamic-code': 'dynamic code',
  'encoded-blob': 'encoded blob',
  dependency: 'new dependency',
  'build-or-ci': 'build or CI file',
};

/** One-line summary of the red flags, for answers and logs: `process execution, network call`. */
export function redFlagSummary(flags: readonly RedFlag[]): string {
  return [...new Set(flags.map((f) => FLAG_TITLES[f.kind]))].join(', ');
}

/**
 * The fix as a suggested diff in the issue: nothing was pushed. With red flags, each is listed with its line; the
 * diff is the redacted view the model worked on (it may hold redaction marks, never secrets).
 */
export function suggestedFixNote(input: { patch: string; flags: readonly RedFlag[]; redact: Redact }): string {
  const out: string[] = [];
  if (input.flags.length > 0) {
    out.push(
      '**The proposed fix was not pushed: its added lines raise red flags.** Read them before using any of it:',
      '',
    );
    for (const f of input.flags.slice(0, 30)) {
      const where = f.line === undefined ? inlineCode(f.path, 300) : `${inlineCode(f.path, 300)} line ${f.line}`;
      out.push(
        `- **${FLAG_TITLES[f.kind]}** (${escapeProse(f.why, 200)}): ${where}${f.text ? ` ${inlineCode(input.redact(f.text), 200)}` : ''}`,
      );
    }
    if (input.flags.length > 30) out.push(`- … and ${input.flags.length - 30} more`);
  } else {
    out.push(
      '**A suggested fix** (not pushed: this service runs with PR_AUTHOR_MODE=suggest). Review it, then apply it yourself:',
    );
  }
  out.push('', codeBlock([input.redact(input.patch).replace(/\n$/, '')], 'diff'));
  return out.join('\n');
}

/**
 * The commit message: model prose escaped like a title, and `[skip ci]` so that no push or pull_request workflow
 * runs model-written code with the repository's secrets before a person has read it.
 */
export function commitMessage(input: { rationale: string | undefined; issueNumber: number; redact: Redact }): string {
  const subject = escapeTitle(input.redact(input.rationale?.split('\n')[0] ?? 'minimal fix'), 60);
  return [
    `fix: ${subject} (aiops-agent) [skip ci]`,
    '',
    `Refs #${input.issueNumber}`,
    '',
    'Proposed by a model from the logs of a rejected canary. [skip ci]: no workflow runs this code before a person has reviewed it.',
  ].join('\n');
}

export function pullRequestTitle(k: RemediationKey): string {
  return escapeTitle(`Draft fix for the rejected canary of ${k.namespace}/${k.rollout} (revision ${k.revision})`);
}

export function pullRequestBody(input: {
  key: RemediationKey;
  issueNumber: number;
  edits: Array<{ file: string; rationale: string }>;
  redact: Redact;
}): string {
  const lines = [
    `Refs #${input.issueNumber}`,
    '',
    'A minimal fix proposed by aiops-agent from the stack frames of the rejected canary. It is a **draft**: review it, run the tests, and complete it before merging.',
    '',
    "**CI has not run on this branch, on purpose.** Its commit carries `[skip ci]`, so GitHub starts no push or pull_request workflow for it: the change was written by a model from log text the canary controls, and a workflow would run it with this repository's secrets before anyone read it. Once you have reviewed the diff, run CI by pushing a commit of your own to the branch (an empty commit will do).",
    '',
    '### Changes',
    ...input.edits.map((e) => `- ${inlineCode(e.file, 300)}: ${escapeProse(input.redact(e.rationale), 500)}`),
    '',
    input.key.marker,
  ];
  return lines.join('\n');
}
