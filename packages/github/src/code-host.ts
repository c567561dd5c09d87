/**
 * The CodeHost port over Octokit (REST), with the maintained retry and throttling plugins and GitHub App
 * installation-token auth. Every call has a deadline and the caller's abort signal; errors are typed.
 */
import { createAppAuth } from '@octokit/auth-app';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import Bottleneck from 'bottleneck';
import type {
  CallOptions,
  CodeHost,
  CodeHostIssue,
  CodeHostPullRequest,
  CodeHostTreeEntry,
  RepoCoordinates,
} from '@aiops/contracts';
import { InvalidRequestError, callDependency } from '@aiops/contracts';
import { toGitHubError } from './errors.js';

export interface GitHubLog {
  debug(message: string, ...rest: unknown[]): void;
  info(message: string, ...rest: unknown[]): void;
  warn(message: string, ...rest: unknown[]): void;
  error(message: string, ...rest: unknown[]): void;
}

export interface GitHubCodeHostOptions {
  /** A personal access token or an installation token. */
  token?: string;
  /** GitHub App credentials: installation tokens are minted and refreshed by @octokit/auth-app. */
  app?: { appId: string; privateKey: string; installationId: string };
  /** GITHUB_API_URL: GitHub Enterprise (https://host/api/v3) or a test server. Default the public API. */
  apiUrl?: string;
  /** Deadline of one port call, retries and rate-limit waits included. */
  timeoutMs: number;
  userAgent?: string;
  /** Octokit's logger; pass a quiet one in tests. */
  log?: GitHubLog;
  /** Retries of 5xx/429/network failures (plugin-retry). Default 2. */
  retries?: number;
  /** Back-off unit of those retries: waits are 1x, 4x, 9x this. Default 1000 ms. */
  retryBaseDelayMs?: number;
  /** A rate-limited call is retried once if GitHub's reset is at most this far away; else it fails. Default 30 s. */
  maxRateLimitWaitSeconds?: number;
  /** Unit of the rate-limit waits GitHub announces in seconds (tests shrink it). Default 1000 ms. */
  rateLimitWaitUnitMs?: number;
  /** Spacing of content-creating requests, as GitHub asks (defaults 1000 ms between writes, 2000 ms between searches). */
  pacing?: { writeMinTimeMs?: number; searchMinTimeMs?: number; notificationMinTimeMs?: number };
}

const ThrottledOctokit = Octokit.plugin(retry, throttling);
type Client = InstanceType<typeof ThrottledOctokit>;

const silentLog: GitHubLog = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** Which repository an URL like https://github.com/org/repo(.git) names. */
export function parseRepositoryUrl(url: string): RepoCoordinates {
  const m = /^https?:\/\/[^\s/]+\/([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+?)(?:\.git)?\/?$/.exec(url.trim());
  if (!m?.[1] || !m[2])
    throw new InvalidRequestError(
      'context.repoUrl',
      `"${url}" is not a repository URL like https://github.com/org/repo`,
    );
  return { owner: m[1], repo: m[2] };
}

const isNotFound = (err: unknown): boolean =>
  typeof err === 'object' && err !== null && (err as { status?: unknown }).status === 404;

function labelNames(labels: Array<string | { name?: string | null }>): string[] {
  return labels.map((l) => (typeof l === 'string' ? l : (l.name ?? ''))).filter((l) => l !== '');
}

interface IssueData {
  number: number;
  html_url: string;
  title: string;
  body?: string | null;
  state: string;
  labels: Array<string | { name?: string | null }>;
  pull_request?: unknown;
}

function toIssue(data: IssueData): CodeHostIssue {
  return {
    number: data.number,
    url: data.html_url,
    title: data.title,
    body: data.body ?? '',
    state: data.state === 'closed' ? 'closed' : 'open',
    labels: labelNames(data.labels),
  };
}

interface PullData {
  number: number;
  html_url: string;
  draft?: boolean;
  state: string;
  head: { ref: string };
  base: { ref: string };
}

function toPull(data: PullData): CodeHostPullRequest {
  return {
    number: data.number,
    url: data.html_url,
    headBranch: data.head.ref,
    baseBranch: data.base.ref,
    draft: data.draft === true,
    state: data.state === 'closed' ? 'closed' : 'open',
  };
}

/** Search qualifiers cannot contain quotes; the marker's HTML comment delimiters are not indexed words anyway. */
function searchPhrase(marker: string): string {
  return marker.replace(/<!--|-->|"/g, ' ').trim();
}

export function createGitHubCodeHost(options: GitHubCodeHostOptions): CodeHost {
  if (!options.token && !options.app) {
    // Anonymous access cannot write; fail at wiring time, not at the first rejected canary.
    throw new InvalidRequestError('GITHUB_TOKEN', 'a token or GitHub App credentials are required');
  }
  const log = options.log ?? silentLog;
  const maxWait = options.maxRateLimitWaitSeconds ?? 30;
  const pacing = options.pacing ?? {};
  const group = (minTime: number | undefined, fallback: number) =>
    new Bottleneck.Group({ maxConcurrent: 1, minTime: minTime ?? fallback });
  const octokit: Client = new ThrottledOctokit({
    ...(options.app
      ? {
          authStrategy: createAppAuth,
          auth: {
            appId: options.app.appId,
            privateKey: options.app.privateKey,
            installationId: options.app.installationId,
          },
        }
      : { auth: options.token }),
    ...(options.apiUrl ? { baseUrl: options.apiUrl.replace(/\/+$/, '') } : {}),
    userAgent: options.userAgent ?? 'aiops-agent',
    log,
    retry: { retries: options.retries ?? 2, retryAfterBaseValue: options.retryBaseDelayMs ?? 1000 },
    throttle: {
      // Per-client limiters (the plugin's defaults are process-global and cannot be tuned).
      write: group(pacing.writeMinTimeMs, 1000),
      search: group(pacing.searchMinTimeMs, 2000),
      notifications: group(pacing.notificationMinTimeMs, 3000),
      retryAfterBaseValue: options.rateLimitWaitUnitMs ?? 1000,
      onRateLimit: (
        retryAfter: number,
        request: { method: string; url: string },
        _client: unknown,
        retryCount: number,
      ) => {
        const willRetry = retryCount < 1 && retryAfter <= maxWait;
        log.warn(
          `GitHub rate limit on ${request.method} ${request.url}; ${willRetry ? `retrying in ${retryAfter}s` : 'giving up'}`,
        );
        return willRetry;
      },
      onSecondaryRateLimit: (
        retryAfter: number,
        request: { method: string; url: string },
        _client: unknown,
        retryCount: number,
      ) => {
        const willRetry = retryCount < 1 && retryAfter <= maxWait;
        log.warn(
          `GitHub secondary rate limit on ${request.method} ${request.url}; ${willRetry ? `retrying in ${retryAfter}s` : 'giving up'}`,
        );
        return willRetry;
      },
    },
  });

  /** One API interaction through the shared dependency-call helper (it also outlasts the throttling queue, which ignores signals). */
  function call<T>(
    what: string,
    callOptions: CallOptions,
    run: (request: { signal: AbortSignal }) => Promise<T>,
  ): Promise<T> {
    return callDependency(
      {
        dependency: 'github',
        what,
        signal: callOptions.signal,
        timeoutMs: options.timeoutMs,
        translate: (err) => toGitHubError(err, what),
      },
      (signal) => run({ signal }),
    );
  }

  return {
    async getRepository(repo, opts) {
      const { data } = await call(`get repository ${repo.owner}/${repo.repo}`, opts, (request) =>
        octokit.rest.repos.get({ ...repo, request }),
      );
      return { fullName: data.full_name, defaultBranch: data.default_branch };
    },

    async getBranchHead(repo, branch, opts) {
      const ref = await call(`get branch ${branch}`, opts, (request) =>
        octokit.rest.git.getRef({ ...repo, ref: `heads/${branch}`, request }).catch((err: unknown) => {
          if (isNotFound(err)) return undefined;
          throw err;
        }),
      );
      if (!ref) return undefined;
      const commitSha = ref.data.object.sha;
      const { data } = await call(`get commit ${commitSha}`, opts, (request) =>
        octokit.rest.git.getCommit({ ...repo, commit_sha: commitSha, request }),
      );
      return { commitSha, treeSha: data.tree.sha };
    },

    async getTree(repo, treeSha, opts) {
      const { data } = await call(`get tree ${treeSha}`, opts, (request) =>
        octokit.rest.git.getTree({ ...repo, tree_sha: treeSha, recursive: 'true', request }),
      );
      const entries: CodeHostTreeEntry[] = [];
      for (const e of data.tree) {
        if (!e.path || !e.sha || (e.type !== 'blob' && e.type !== 'tree' && e.type !== 'commit')) continue;
        const entry: CodeHostTreeEntry = { path: e.path, type: e.type, sha: e.sha, mode: e.mode ?? '100644' };
        if (typeof e.size === 'number') entry.size = e.size;
        entries.push(entry);
      }
      return { entries, truncated: data.truncated };
    },

    async getFile(repo, path, ref, opts) {
      const res = await call(`get file ${path}@${ref}`, opts, (request) =>
        octokit.rest.repos.getContent({ ...repo, path, ref, request }).catch((err: unknown) => {
          if (isNotFound(err)) return undefined;
          throw err;
        }),
      );
      const data = res?.data;
      if (!data || Array.isArray(data) || data.type !== 'file' || !('content' in data)) return undefined;
      // GitHub answers a symbolic link with its target's content and path: only the file asked for is returned.
      if (data.path !== path) return undefined;
      const content = Buffer.from(data.content, data.encoding === 'base64' ? 'base64' : 'utf8').toString('utf8');
      return { path: data.path, content, sha: data.sha };
    },

    async findIssues(repo, query, opts) {
      const matches = new Map<number, CodeHostIssue>();
      const keep = (items: IssueData[]) => {
        for (const item of items)
          if (!item.pull_request && (item.body ?? '').includes(query.marker)) matches.set(item.number, toIssue(item));
      };
      // The label listing is consistent right after a create (search is indexed with a delay), so try it first.
      if (query.label) {
        const label = query.label;
        const { data } = await call(`list issues labelled ${label}`, opts, (request) =>
          octokit.rest.issues.listForRepo({
            ...repo,
            labels: label,
            state: 'all',
            per_page: 100,
            sort: 'created',
            direction: 'desc',
            request,
          }),
        );
        keep(data);
      }
      if (matches.size === 0) {
        const q = `repo:${repo.owner}/${repo.repo} is:issue in:body "${searchPhrase(query.marker)}"`;
        const { data } = await call('search issues', opts, (request) =>
          octokit.rest.search.issuesAndPullRequests({ q, per_page: 20, request }),
        );
        keep(data.items);
      }
      return [...matches.values()].sort((a, b) => b.number - a.number);
    },

    async createIssue(repo, issue, opts) {
      const { data } = await call('create issue', opts, (request) =>
        octokit.rest.issues.create({ ...repo, ...issue, request }),
      );
      return toIssue(data);
    },

    async updateIssue(repo, issueNumber, patch, opts) {
      const { data } = await call(`update issue #${issueNumber}`, opts, (request) =>
        octokit.rest.issues.update({ ...repo, issue_number: issueNumber, ...patch, request }),
      );
      return toIssue(data);
    },

    async addIssueComment(repo, issueNumber, body, opts) {
      const { data } = await call(`comment on issue #${issueNumber}`, opts, (request) =>
        octokit.rest.issues.createComment({ ...repo, issue_number: issueNumber, body, request }),
      );
      return { url: data.html_url };
    },

    async createBlob(repo, content, opts) {
      const { data } = await call('create blob', opts, (request) =>
        octokit.rest.git.createBlob({
          ...repo,
          content: Buffer.from(content, 'utf8').toString('base64'),
          encoding: 'base64',
          request,
        }),
      );
      return { sha: data.sha };
    },

    async createTree(repo, baseTreeSha, entries, opts) {
      const tree = entries.map((e) => ({
        path: e.path,
        mode: e.mode ?? ('100644' as const),
        type: 'blob' as const,
        sha: e.blobSha,
      }));
      const { data } = await call('create tree', opts, (request) =>
        octokit.rest.git.createTree({ ...repo, base_tree: baseTreeSha, tree, request }),
      );
      return { sha: data.sha };
    },

    async createCommit(repo, commit, opts) {
      const { data } = await call('create commit', opts, (request) =>
        octokit.rest.git.createCommit({
          ...repo,
          message: commit.message,
          tree: commit.treeSha,
          parents: commit.parents,
          request,
        }),
      );
      return { sha: data.sha };
    },

    async createBranch(repo, branch, commitSha, opts) {
      await call(`create branch ${branch}`, opts, (request) =>
        octokit.rest.git.createRef({ ...repo, ref: `refs/heads/${branch}`, sha: commitSha, request }),
      );
    },

    async openDraftPullRequest(repo, pull, opts) {
      const { data } = await call('open draft pull request', opts, (request) =>
        octokit.rest.pulls.create({ ...repo, ...pull, draft: true, request }),
      );
      return toPull(data);
    },

    async findOpenPullRequest(repo, headBranch, opts) {
      const { data } = await call(`find pull request for ${headBranch}`, opts, (request) =>
        octokit.rest.pulls.list({ ...repo, head: `${repo.owner}:${headBranch}`, state: 'open', per_page: 10, request }),
      );
      const first = data.find((p) => p.head.ref === headBranch);
      return first ? toPull(first) : undefined;
    },
  };
}
