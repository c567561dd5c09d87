/**
 * The PR author: for a rejected canary whose request names a repository, one GitHub issue per (repository,
 * rollout, canary revision, root cause), and a draft PR with a minimal fix when the failure maps to source.
 * It never blocks the verdict past its budget and never throws: failures become `status: 'failed'`.
 */
import type {
  AnalysisRequest,
  CallOptions,
  CodeHost,
  CodeHostIssue,
  Evidence,
  RemediationPreview,
  RemediationPublisher,
  RemediationResult,
  RepoCoordinates,
  StructuredModel,
  Verdict,
} from '@aiops/contracts';
import { DEFAULT_PATH_DENYLIST, readRefusal } from './access.js';
import { checkFix, FixProposalSchema, type CheckedFix } from './edits.js';
import { FIX_SYSTEM_PROMPT, fixPrompt, type FixPromptFile } from './fix-prompt.js';
import { candidateFiles, extractFrames } from './frames.js';
import { fixBranch, remediationKey, type RemediationKey } from './key.js';
import { scanForRedFlags, type RedFlag } from './red-flags.js';
import {
  commitMessage,
  issueBody,
  issueTitle,
  pullRequestBody,
  pullRequestTitle,
  redFlagSummary,
  suggestedFixNote,
  withFixNote,
  type Redact,
} from './render.js';
import { inlineCode } from './markdown.js';
import { repositoryTarget } from './repository.js';

export interface PrAuthorConfig {
  /** `owner/repo` or `owner/*`, case-insensitive. Empty: every repository is refused. */
  repoAllowlist: string[];
  /** Labels of created issues (coding agents such as Jules or Copilot pick issues up by label). */
  labels: string[];
  /** publish() returns within this budget; the work goes on in the background. */
  budgetMs: number;
  dryRun: boolean;
  /**
   * issue: only the issue; suggest: the issue with the fix as a suggested diff; draft-pr (default): a draft PR, unless
   * the fix raises red flags, which makes it a suggested diff.
   */
  mode?: PrAuthorMode;
  /** Repository URLs must name this host (default github.com); anything else is refused before any call. */
  githubHost?: string;
  /** Upper bound of the unified diff of a fix. */
  maxEditBytes: number;
  /** Added to the built-in denylist (CI, credentials, env files, lockfiles); applies to reads and edits alike. */
  pathDenylist?: RegExp[];
  /** Deadline of the model's fix proposal. Default 60 s. */
  fixTimeoutMs?: number;
  /** Source files sent to the model. Default 3. */
  maxFiles?: number;
  /** Larger files are not sent. Default 100 KB. */
  maxFileBytes?: number;
}

export type PrAuthorMode = 'issue' | 'suggest' | 'draft-pr';

export interface PrAuthorLogger {
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
}

export interface PrAuthorOptions {
  host: CodeHost;
  model?: StructuredModel;
  config: PrAuthorConfig;
  /** Secret redaction for every log-derived or model-written text. */
  redact: Redact;
  logger?: PrAuthorLogger;
}

export interface PrAuthor extends RemediationPublisher {
  /** Resolves when no background work is in flight (tests, graceful shutdown). */
  settled(): Promise<void>;
}

interface ProposedFix {
  fix: CheckedFix;
  flags: RedFlag[];
  /** Sentence naming the files the frames pointed at that were not read ('' when none). */
  notRead: string;
  baseBranch: string;
  baseCommit: string;
  baseTree: string;
}

interface PublishInput {
  request: AnalysisRequest;
  verdict: Verdict;
  evidence: Evidence;
}

/** What is known of one key so far; shared by every publish() of that key in this process. */
interface Progress {
  issue?: { number: number; url: string };
  pull?: { number: number; url: string };
  /** Set once the job has finished successfully; repeats are then answered from memory. */
  final?: RemediationResult;
}

/** Written while the fix is being prepared; an issue still saying it after a restart gets its fix retried. */
const PENDING_NOTE = 'Pending: looking for a minimal fix.';
const MAX_REMEMBERED_KEYS = 1000;

const quietLogger: PrAuthorLogger = { info: () => {}, warn: () => {} };

export function isAllowed(repo: RepoCoordinates, allowlist: readonly string[]): boolean {
  // "." and ".." are not repository names (GitHub refuses them); in an API path they would step out of the
  // repository, so no entry, owner/* included, ever matches them.
  if ([repo.owner, repo.repo].some((part) => part === '.' || part === '..')) return false;
  const owner = repo.owner.toLowerCase();
  const full = `${owner}/${repo.repo.toLowerCase()}`;
  return allowlist.some((entry) => {
    const e = entry.trim().toLowerCase();
    return e === full || e === `${owner}/*`;
  });
}

function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : 'unknown error';
}

export function createPrAuthor(options: PrAuthorOptions): PrAuthor {
  const { host, model, config, redact } = options;
  const logger = options.logger ?? quietLogger;
  const denylist = [...DEFAULT_PATH_DENYLIST, ...(config.pathDenylist ?? [])];
  const mode: PrAuthorMode = config.mode ?? 'draft-pr';
  const progress = new Map<string, Progress>();
  const inFlight = new Map<string, Promise<RemediationResult>>();

  const linksOf = (
    p: Progress | undefined,
  ): Pick<RemediationResult, 'issueUrl' | 'issueNumber' | 'pullRequestUrl' | 'pullRequestNumber'> => {
    const out: Pick<RemediationResult, 'issueUrl' | 'issueNumber' | 'pullRequestUrl' | 'pullRequestNumber'> = {};
    if (p?.issue) Object.assign(out, { issueUrl: p.issue.url, issueNumber: p.issue.number });
    if (p?.pull) Object.assign(out, { pullRequestUrl: p.pull.url, pullRequestNumber: p.pull.number });
    return out;
  };

  /**
   * Stack frames → candidate files → model proposal → checks. Returns the fix or why there is none. Files the
   * denylist covers (and links, and anything outside the repository) are never fetched: the canary's logs choose
   * the frames, so reads follow the same rules as edits. What is fetched is redacted before the prompt.
   */
  async function proposeFix(
    repo: RepoCoordinates,
    key: RemediationKey,
    input: PublishInput,
    signal: AbortSignal,
  ): Promise<ProposedFix | { reason: string }> {
    if (mode === 'issue')
      return { reason: 'This service opens issues only (PR_AUTHOR_MODE=issue): no fix was proposed.' };
    if (!model) return { reason: 'No model is configured, so no fix was proposed.' };
    const logText = input.evidence.logs.signatures
      .filter((s) => s.errorLike && s.canary.count > 0)
      .slice(0, 10)
      .flatMap((s) => [s.template, ...s.examples])
      .join('\n');
    // A frame with `..` in it names something outside the repository whatever the tree says.
    const frames = extractFrames(logText).filter((f) => !f.path.split('/').includes('..'));
    if (frames.length === 0) return { reason: 'The canary logs carry no stack frame that points at source code.' };
    const baseBranch = input.request.baseBranch ?? (await host.getRepository(repo, { signal })).defaultBranch;
    const head = await host.getBranchHead(repo, baseBranch, { signal });
    if (!head) return { reason: `The base branch "${baseBranch}" does not exist.` };
    const tree = await host.getTree(repo, head.treeSha, { signal });
    const readable = tree.entries.filter((e) => readRefusal(e, denylist) === undefined);
    const refused = candidateFiles(
      frames,
      tree.entries.filter((e) => e.type === 'blob' && readRefusal(e, denylist) !== undefined),
      10,
    );
    const notRead =
      refused.length > 0
        ? ` Not read (denylisted, a link, or outside the repository): ${refused.map((c) => inlineCode(c.path, 200)).join(', ')}.`
        : '';
    if (refused.length > 0)
      logger.info(
        { repository: key.repository, notRead: refused.map((c) => c.path) },
        'stack frames point at files the PR author may not read',
      );
    const maxFileBytes = config.maxFileBytes ?? 100_000;
    const candidates = candidateFiles(frames, readable, config.maxFiles ?? 3).filter((c) => {
      const size = tree.entries.find((e) => e.path === c.path)?.size;
      return size === undefined || size <= maxFileBytes;
    });
    const files: FixPromptFile[] = [];
    const originals = new Map<string, string>();
    for (const c of candidates) {
      const file = await host.getFile(repo, c.path, head.commitSha, { signal });
      if (!file || file.content.length > maxFileBytes) continue;
      originals.set(c.path, file.content);
      files.push({ path: c.path, content: redact(file.content), lines: c.lines });
    }
    if (files.length === 0)
      return {
        reason: `No file of the repository that may be read matches the stack frames in the canary logs.${notRead}`,
      };
    const prompt = fixPrompt({ key, verdict: input.verdict, evidence: input.evidence, files, redact });
    const modelSignal = AbortSignal.any([signal, AbortSignal.timeout(config.fixTimeoutMs ?? 60_000)]);
    let proposal;
    try {
      proposal = await model.generate(
        { system: FIX_SYSTEM_PROMPT, prompt, schema: FixProposalSchema, schemaName: 'fix_proposal' },
        { signal: modelSignal },
      );
    } catch (err) {
      return { reason: `The model could not propose a fix: ${reasonOf(err)}${notRead}` };
    }
    // The port validates, but a model adapter is a trust boundary: validate again.
    const parsed = FixProposalSchema.safeParse(proposal.value);
    if (!parsed.success) return { reason: `The model answered with an invalid fix proposal.${notRead}` };
    const shown = new Map(files.map((f) => [f.path, f.content]));
    const checked = checkFix(parsed.data, shown, { maxEditBytes: config.maxEditBytes, denylist, originals });
    if (!checked.ok) return { reason: `The proposed fix was not applied: ${checked.reason}.${notRead}` };
    return {
      fix: checked.fix,
      flags: scanForRedFlags(checked.fix.files),
      notRead,
      baseBranch,
      baseCommit: head.commitSha,
      baseTree: head.treeSha,
    };
  }

  const notReadNote = (proposal: ProposedFix): string => (proposal.notRead ? `\n\n${proposal.notRead.trim()}` : '');

  /** Whether a checked fix becomes a draft PR, or only a suggested diff in the issue (and what to say about it). */
  function disposition(proposal: ProposedFix): { push: true } | { push: false; note: string; reason: string } {
    if (proposal.flags.length > 0) {
      return {
        push: false,
        note: suggestedFixNote({ patch: proposal.fix.patch, flags: proposal.flags, redact }) + notReadNote(proposal),
        reason: `the proposed fix raises red flags (${redFlagSummary(proposal.flags)}): it is a suggested diff in the issue, nothing was pushed`,
      };
    }
    if (mode === 'suggest') {
      return {
        push: false,
        note: suggestedFixNote({ patch: proposal.fix.patch, flags: [], redact }) + notReadNote(proposal),
        reason: 'PR_AUTHOR_MODE=suggest: the fix is a suggested diff in the issue, nothing was pushed',
      };
    }
    return { push: true };
  }

  /** Branch → blobs → tree → commit → ref → draft PR, resuming whatever a previous attempt left behind. */
  async function openPullRequest(
    repo: RepoCoordinates,
    key: RemediationKey,
    issueNumber: number,
    proposal: ProposedFix,
    signal: AbortSignal,
  ) {
    const branch = fixBranch(key);
    const existingBranch = await host.getBranchHead(repo, branch, { signal });
    if (!existingBranch) {
      const entries = [];
      for (const f of proposal.fix.files)
        entries.push({ path: f.path, blobSha: (await host.createBlob(repo, f.after, { signal })).sha });
      const tree = await host.createTree(repo, proposal.baseTree, entries, { signal });
      const message = commitMessage({ rationale: proposal.fix.edits[0]?.rationale, issueNumber, redact });
      const commit = await host.createCommit(
        repo,
        { message, treeSha: tree.sha, parents: [proposal.baseCommit] },
        { signal },
      );
      await host.createBranch(repo, branch, commit.sha, { signal });
    }
    const body = pullRequestBody({ key, issueNumber, edits: proposal.fix.edits, redact });
    return host.openDraftPullRequest(
      repo,
      { title: pullRequestTitle(key), body, head: branch, base: proposal.baseBranch },
      { signal },
    );
  }

  async function findExisting(
    repo: RepoCoordinates,
    key: RemediationKey,
    signal: AbortSignal,
  ): Promise<CodeHostIssue | undefined> {
    const label = config.labels[0];
    const found = await host.findIssues(repo, label ? { marker: key.marker, label } : { marker: key.marker }, {
      signal,
    });
    // The oldest issue wins if two replicas raced: the others are closed as duplicates.
    return found.sort((a, b) => a.number - b.number)[0];
  }

  async function run(
    repo: RepoCoordinates,
    key: RemediationKey,
    input: PublishInput,
    state: Progress,
  ): Promise<RemediationResult> {
    const signal = new AbortController().signal; // background work outlives the caller; adapters bound each call
    const existing = await findExisting(repo, key, signal);
    if (existing) {
      state.issue = { number: existing.number, url: existing.url };
      const pull = await host.findOpenPullRequest(repo, fixBranch(key), { signal });
      if (pull) state.pull = { number: pull.number, url: pull.url };
      // A previous attempt recorded its fix outcome, or opened the PR: nothing more to do.
      if (pull || !existing.body.includes(PENDING_NOTE)) {
        return { status: 'existing', ...linksOf(state) };
      }
    }

    let issue = existing;
    if (!issue) {
      const body = issueBody({
        key,
        request: input.request,
        verdict: input.verdict,
        evidence: input.evidence,
        redact,
        fixNote: PENDING_NOTE,
      });
      issue = await host.createIssue(
        repo,
        { title: issueTitle(key, input.evidence, redact), body, labels: config.labels },
        { signal },
      );
      state.issue = { number: issue.number, url: issue.url };
      logger.info({ repository: key.repository, issue: issue.number, key: key.key }, 'opened remediation issue');
      const winner = await findExisting(repo, key, signal);
      if (winner && winner.number < issue.number) {
        await host.updateIssue(
          repo,
          issue.number,
          { state: 'closed', body: `Duplicate of #${winner.number}.\n<!-- aiops-agent:duplicate-of=${key.key} -->` },
          { signal },
        );
        state.issue = { number: winner.number, url: winner.url };
        return { status: 'existing', ...linksOf(state) };
      }
    }

    const proposal = await proposeFix(repo, key, input, signal);
    if ('reason' in proposal) {
      await host.updateIssue(repo, issue.number, { body: withFixNote(issue.body, proposal.reason) }, { signal });
      logger.info({ repository: key.repository, issue: issue.number, reason: proposal.reason }, 'no automated fix');
      return { status: existing ? 'updated' : 'created', reason: proposal.reason, ...linksOf(state) };
    }
    const decided = disposition(proposal);
    if (!decided.push) {
      await host.updateIssue(repo, issue.number, { body: withFixNote(issue.body, decided.note) }, { signal });
      logger.info(
        {
          repository: key.repository,
          issue: issue.number,
          redFlags: proposal.flags.map((f) => `${f.kind} ${f.path}:${f.line ?? ''}`),
        },
        'fix kept as a suggested diff',
      );
      return { status: existing ? 'updated' : 'created', reason: decided.reason, ...linksOf(state) };
    }
    const pull = await openPullRequest(repo, key, issue.number, proposal, signal);
    state.pull = { number: pull.number, url: pull.url };
    await host.updateIssue(
      repo,
      issue.number,
      {
        body: withFixNote(
          issue.body,
          `A draft pull request proposes a minimal fix: #${pull.number} (${pull.url}).${notReadNote(proposal)}`,
        ),
      },
      { signal },
    );
    await host.addIssueComment(
      repo,
      issue.number,
      `aiops-agent opened a draft pull request with a proposed fix: ${pull.url}`,
      { signal },
    );
    logger.info(
      { repository: key.repository, issue: issue.number, pull: pull.number },
      'opened draft fix pull request',
    );
    return { status: existing ? 'updated' : 'created', ...linksOf(state) };
  }

  async function preview(repo: RepoCoordinates, key: RemediationKey, input: PublishInput): Promise<RemediationResult> {
    const signal = new AbortController().signal;
    const proposal = await proposeFix(repo, key, input, signal);
    const decided = 'reason' in proposal ? undefined : disposition(proposal);
    const fixNote =
      'reason' in proposal
        ? proposal.reason
        : decided && !decided.push
          ? decided.note
          : `A draft pull request would propose the fix below.${notReadNote(proposal)}`;
    const result: RemediationPreview = {
      repository: key.repository,
      idempotencyKey: key.key,
      issueTitle: issueTitle(key, input.evidence, redact),
      issueBody: issueBody({
        key,
        request: input.request,
        verdict: input.verdict,
        evidence: input.evidence,
        redact,
        fixNote,
      }),
    };
    if (!('reason' in proposal))
      Object.assign(result, { patch: proposal.fix.patch }, decided?.push ? { branch: fixBranch(key) } : {});
    if (!('reason' in proposal) && proposal.flags.length > 0)
      result.redFlags = proposal.flags.map((f) => `${f.kind}: ${f.path}${f.line === undefined ? '' : `:${f.line}`}`);
    // Dry run: the operator reads what would have been written here and in the answer.
    logger.info(
      { repository: key.repository, issueTitle: result.issueTitle, issueBody: result.issueBody, patch: result.patch },
      'dry run: issue and fix that would be opened',
    );
    return { status: 'dry-run', reason: 'dry run: nothing was written to GitHub', preview: result };
  }

  function start(repo: RepoCoordinates, key: RemediationKey, input: PublishInput): Promise<RemediationResult> {
    const state = progress.get(key.key) ?? {};
    progress.set(key.key, state);
    if (progress.size > MAX_REMEMBERED_KEYS) progress.delete(progress.keys().next().value ?? key.key);
    const job = (config.dryRun ? preview(repo, key, input) : run(repo, key, input, state))
      .then((result) => {
        if (!config.dryRun) state.final = { ...result, status: 'existing' };
        return result;
      })
      .catch((err: unknown): RemediationResult => {
        logger.warn({ repository: key.repository, key: key.key, error: reasonOf(err) }, 'remediation failed');
        return { status: 'failed', reason: `GitHub remediation failed: ${reasonOf(err)}`, ...linksOf(state) };
      })
      .finally(() => inFlight.delete(key.key));
    inFlight.set(key.key, job);
    return job;
  }

  return {
    async publish(input, callOptions: CallOptions): Promise<RemediationResult> {
      try {
        if (input.verdict.promote) return { status: 'skipped', reason: 'the canary was promoted' };
        const repoUrl = input.request.repoUrl;
        if (!repoUrl) return { status: 'skipped', reason: 'the request names no repository' };
        const target = repositoryTarget(repoUrl, config.githubHost ?? 'github.com');
        if (!target.ok) return { status: 'skipped', reason: target.reason };
        const repo = target.repo;
        if (!isAllowed(repo, config.repoAllowlist))
          return { status: 'skipped', reason: `${repo.owner}/${repo.repo} is not on the repository allowlist` };
        const key = remediationKey(repo, input.evidence);
        const known = progress.get(key.key);
        if (known?.final && !config.dryRun) return { ...known.final, ...linksOf(known) };
        const job = inFlight.get(key.key) ?? start(repo, key, input);

        let timer: NodeJS.Timeout | undefined;
        let onAbort: (() => void) | undefined;
        const budget = new Promise<'budget'>((resolve) => {
          timer = setTimeout(() => resolve('budget'), config.budgetMs);
          onAbort = () => resolve('budget');
          if (callOptions.signal.aborted) resolve('budget');
          else callOptions.signal.addEventListener('abort', onAbort, { once: true });
        });
        try {
          const outcome = await Promise.race([job, budget]);
          if (outcome !== 'budget') return outcome;
          return {
            status: 'pending',
            reason: 'still working in the background; the next measurement returns the links',
            ...linksOf(progress.get(key.key)),
          };
        } finally {
          clearTimeout(timer);
          if (onAbort) callOptions.signal.removeEventListener('abort', onAbort);
        }
      } catch (err) {
        // Nothing here may change the verdict.
        logger.warn({ error: reasonOf(err) }, 'remediation failed');
        return { status: 'failed', reason: reasonOf(err) };
      }
    },

    async settled() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight.values()]);
    },
  };
}
