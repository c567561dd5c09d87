/**
 * A fake GitHub REST API server, driven by the real Octokit: repositories, Git data (blobs, trees, commits, refs),
 * contents, issues (+ comments, search) and pull requests, with fault injection. State lives in memory.
 */
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import {
  startFakeHttpServer,
  type FaultInjector,
  type FaultMatch,
  type FaultSpec,
  type RecordedRequest,
} from '../http/fake-http.js';
import { SEED_REPOS, type SeedRepo } from './seed-repos.js';

export interface FakeGitHubIssue {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  labels: string[];
  comments: string[];
  createdAt: string;
  updatedAt: string;
}

export interface FakeGitHubPull {
  number: number;
  title: string;
  body: string;
  head: string;
  base: string;
  draft: boolean;
  state: 'open' | 'closed';
  headSha: string;
}

export interface GitHubRecordedRequest {
  method: string;
  /** Decoded path, e.g. /repos/acme/cart/git/ref/heads/main. */
  path: string;
  query: Record<string, string>;
  body: unknown;
  authorization?: string;
}

/** GitHub's own error answers, as faults for `FakeGitHub.faults` (see `gitHubFault`). */
export type GitHubFaultKind =
  | 'rate-limit' // 403 with x-ratelimit-remaining: 0
  | 'secondary-rate-limit' // 403 "You have exceeded a secondary rate limit" + retry-after
  | 'forbidden'
  | 'not-found'
  | 'unprocessable'
  | 'server-error';

const GITHUB_DOCS = 'https://docs.github.com/rest';

/** A GitHub-shaped error answer as a FaultSpec: `fake.faults.inject(gitHubFault('rate-limit', { match, times }))`. */
export function gitHubFault(kind: GitHubFaultKind, options: { match?: FaultMatch; times?: number } = {}): FaultSpec {
  const error = (
    status: number,
    message: string,
    headers?: FaultSpec['headers'],
    extra: Record<string, unknown> = {},
  ): FaultSpec => ({
    kind: 'status',
    status,
    body: { message, documentation_url: GITHUB_DOCS, ...extra },
    ...(headers ? { headers } : {}),
    ...options,
  });
  switch (kind) {
    case 'rate-limit':
      // The reset is computed per answer, so a fault injected earlier still says "one second from now".
      return error(403, 'API rate limit exceeded for installation.', () => ({
        'x-ratelimit-limit': '5000',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-used': '5000',
        'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 1),
      }));
    case 'secondary-rate-limit':
      return error(403, 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', {
        'retry-after': '1',
      });
    case 'forbidden':
      return error(403, 'Resource not accessible by integration');
    case 'not-found':
      return error(404, 'Not Found');
    case 'unprocessable':
      return error(422, 'Validation Failed', undefined, { errors: [{ code: 'invalid' }] });
    case 'server-error':
      return error(500, 'Internal Server Error');
  }
}

export interface FakeGitHubOptions {
  /** Defaults to the four seeded acme/* repositories. */
  repos?: readonly SeedRepo[];
  /** When set, requests must carry one of these tokens (installation tokens it issues are added). */
  acceptedTokens?: string[];
  /** Base of html_url links. */
  htmlBaseUrl?: string;
}

export interface FakeGitHub {
  url: string;
  /** Every request received, faulted ones included. */
  readonly requests: GitHubRecordedRequest[];
  issues(owner: string, repo: string): FakeGitHubIssue[];
  pulls(owner: string, repo: string): FakeGitHubPull[];
  /** File content at a branch name or commit sha; undefined when absent. */
  fileAt(owner: string, repo: string, ref: string, path: string): string | undefined;
  branches(owner: string, repo: string): string[];
  /** Faults: transport ones (reset, hang, html, ...) directly, GitHub's error answers through `gitHubFault`. */
  readonly faults: FaultInjector;
  /** Requests whose answer has not finished. */
  readonly openRequests: number;
  close(): Promise<void>;
}

interface TreeFile {
  mode: string;
  sha: string;
}

interface RepoState {
  owner: string;
  repo: string;
  defaultBranch: string;
  blobs: Map<string, Buffer>;
  /** Trees are kept flat: full path -> file. Directory entries are derived on read. */
  trees: Map<string, Map<string, TreeFile>>;
  commits: Map<string, { tree: string; parents: string[]; message: string }>;
  refs: Map<string, string>;
  issues: FakeGitHubIssue[];
  pulls: FakeGitHubPull[];
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** JSON fields as strings; anything else counts as absent. */
const str = (value: unknown, fallback = ''): string => (typeof value === 'string' ? value : fallback);
const sha1 = (data: string | Buffer): string => createHash('sha1').update(data).digest('hex');
const blobSha = (content: Buffer): string => sha1(Buffer.concat([Buffer.from(`blob ${content.length}\0`), content]));

function treeSha(files: Map<string, TreeFile>): string {
  const sorted = [...files.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  return sha1(`tree ${JSON.stringify(sorted)}`);
}

let clock = Date.parse('2026-01-01T00:00:00Z');
const now = (): string => new Date((clock += 1000)).toISOString();

function seedRepo(seed: SeedRepo): RepoState {
  const state: RepoState = {
    owner: seed.owner,
    repo: seed.repo,
    defaultBranch: seed.defaultBranch ?? 'main',
    blobs: new Map(),
    trees: new Map(),
    commits: new Map(),
    refs: new Map(),
    issues: [],
    pulls: [],
  };
  const files = new Map<string, TreeFile>();
  for (const [path, content] of Object.entries(seed.files)) {
    const buf = Buffer.from(content, 'utf8');
    const sha = blobSha(buf);
    state.blobs.set(sha, buf);
    files.set(path, { mode: '100644', sha });
  }
  const tree = treeSha(files);
  state.trees.set(tree, files);
  const commit = sha1(`commit ${tree} initial`);
  state.commits.set(commit, { tree, parents: [], message: 'initial commit' });
  state.refs.set(`heads/${state.defaultBranch}`, commit);
  return state;
}

function parseSearchQuery(q: string): { qualifiers: Array<[string, string]>; terms: string[] } {
  const qualifiers: Array<[string, string]> = [];
  const terms: string[] = [];
  const re = /(?:(\w+):)?(?:"([^"]*)"|(\S+))/g;
  for (const m of q.matchAll(re)) {
    const value = m[2] ?? m[3] ?? '';
    if (m[1]) qualifiers.push([m[1].toLowerCase(), value]);
    else if (value) terms.push(value.toLowerCase());
  }
  return { qualifiers, terms };
}

function recordOf(request: RecordedRequest): GitHubRecordedRequest {
  let body: unknown;
  try {
    body = request.body ? (JSON.parse(request.body) as unknown) : undefined;
  } catch {
    body = undefined;
  }
  const recorded: GitHubRecordedRequest = { method: request.method, path: request.path, query: request.query, body };
  if (request.headers.authorization) recorded.authorization = request.headers.authorization;
  return recorded;
}

export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const repos = new Map<string, RepoState>();
  for (const seed of options.repos ?? SEED_REPOS) repos.set(`${seed.owner}/${seed.repo}`.toLowerCase(), seedRepo(seed));
  const accepted = options.acceptedTokens ? new Set(options.acceptedTokens) : undefined;
  let baseUrl = '';
  let tokenSerial = 0;
  const htmlBase = options.htmlBaseUrl ?? 'https://github.com';

  const repoOf = (owner: string, repo: string): RepoState => {
    const r = repos.get(`${owner}/${repo}`.toLowerCase());
    if (!r) throw new HttpError(404, 'Not Found');
    return r;
  };

  const issueJson = (r: RepoState, i: FakeGitHubIssue) => ({
    id: r.issues.indexOf(i) + 1000,
    number: i.number,
    title: i.title,
    body: i.body,
    state: i.state,
    labels: i.labels.map((name) => ({ name })),
    comments: i.comments.length,
    html_url: `${htmlBase}/${r.owner}/${r.repo}/issues/${i.number}`,
    url: `${baseUrl}/repos/${r.owner}/${r.repo}/issues/${i.number}`,
    repository_url: `${baseUrl}/repos/${r.owner}/${r.repo}`,
    created_at: i.createdAt,
    updated_at: i.updatedAt,
  });

  const pullJson = (r: RepoState, p: FakeGitHubPull) => ({
    id: p.number + 5000,
    number: p.number,
    title: p.title,
    body: p.body,
    state: p.state,
    draft: p.draft,
    html_url: `${htmlBase}/${r.owner}/${r.repo}/pull/${p.number}`,
    url: `${baseUrl}/repos/${r.owner}/${r.repo}/pulls/${p.number}`,
    head: { ref: p.head, sha: p.headSha, label: `${r.owner}:${p.head}` },
    base: { ref: p.base, label: `${r.owner}:${p.base}` },
  });

  const nextNumber = (r: RepoState): number => r.issues.length + r.pulls.length + 1;

  const resolveCommit = (r: RepoState, ref: string): string | undefined =>
    r.refs.get(`heads/${ref}`) ?? r.refs.get(ref.replace(/^refs\//, '')) ?? (r.commits.has(ref) ? ref : undefined);

  const treeEntries = (files: Map<string, TreeFile>, recursive: boolean) => {
    const dirs = new Set<string>();
    const entries: Array<{ path: string; mode: string; type: string; sha: string; size?: number }> = [];
    for (const [path, f] of files) {
      const parts = path.split('/');
      for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
      if (recursive || parts.length === 1) entries.push({ path, mode: f.mode, type: 'blob', sha: f.sha });
    }
    for (const d of dirs)
      if (recursive || !d.includes('/')) entries.push({ path: d, mode: '040000', type: 'tree', sha: sha1(`dir ${d}`) });
    return entries.sort((a, b) => (a.path < b.path ? -1 : 1));
  };

  function route(
    method: string,
    segs: string[],
    query: Record<string, string>,
    body: Record<string, unknown>,
  ): [number, unknown] {
    const [head, owner = '', repo = '', ...rest] = segs;
    if (method === 'POST' && head === 'app' && owner === 'installations' && rest[0] === 'access_tokens') {
      const token = `ghs_fake_installation_${repo}_${(tokenSerial += 1)}`;
      accepted?.add(token);
      return [
        201,
        { token, expires_at: new Date(Date.now() + 3_600_000).toISOString(), permissions: { issues: 'write' } },
      ];
    }
    if (method === 'GET' && head === 'search' && owner === 'issues') return [200, searchIssues(query.q ?? '')];
    if (head !== 'repos') throw new HttpError(404, 'Not Found');
    const r = repoOf(owner, repo);
    const [area, ...tail] = rest;
    const key = `${method} ${area ?? ''}${tail[0] === undefined ? '' : '/' + tail[0]}`;

    if (area === undefined && method === 'GET') {
      return [
        200,
        {
          id: 1,
          name: r.repo,
          full_name: `${r.owner}/${r.repo}`,
          owner: { login: r.owner },
          default_branch: r.defaultBranch,
          private: false,
          html_url: `${htmlBase}/${r.owner}/${r.repo}`,
        },
      ];
    }
    if (area === 'git') {
      const [kind, ...restPath] = tail;
      const arg = restPath.join('/');
      if (method === 'GET' && kind === 'ref') {
        const sha = r.refs.get(arg);
        if (!sha) throw new HttpError(404, 'Not Found');
        return [200, { ref: `refs/${arg}`, object: { sha, type: 'commit' } }];
      }
      if (method === 'POST' && kind === 'refs') {
        const ref = str(body.ref, '').replace(/^refs\//, '');
        const sha = str(body.sha, '');
        if (!ref.startsWith('heads/')) throw new HttpError(422, 'Reference name must start with refs/heads/');
        if (r.refs.has(ref)) throw new HttpError(422, 'Reference already exists');
        if (!r.commits.has(sha)) throw new HttpError(422, 'Object does not exist');
        r.refs.set(ref, sha);
        return [201, { ref: `refs/${ref}`, object: { sha, type: 'commit' } }];
      }
      if (method === 'GET' && kind === 'commits') {
        const c = r.commits.get(arg);
        if (!c) throw new HttpError(404, 'Not Found');
        return [
          200,
          { sha: arg, tree: { sha: c.tree }, parents: c.parents.map((sha) => ({ sha })), message: c.message },
        ];
      }
      if (method === 'POST' && kind === 'commits') {
        const tree = str(body.tree, '');
        const parents = Array.isArray(body.parents) ? body.parents.map(String) : [];
        if (!r.trees.has(tree) || parents.some((p) => !r.commits.has(p)))
          throw new HttpError(422, 'Tree or parent does not exist');
        const message = str(body.message, '');
        const sha = sha1(`commit ${tree} ${parents.join(',')} ${message}`);
        r.commits.set(sha, { tree, parents, message });
        return [201, { sha, tree: { sha: tree }, parents: parents.map((p) => ({ sha: p })), message }];
      }
      if (method === 'GET' && kind === 'trees') {
        const sha = resolveCommit(r, arg) ? (r.commits.get(resolveCommit(r, arg) ?? '')?.tree ?? arg) : arg;
        const files = r.trees.get(sha);
        if (!files) throw new HttpError(404, 'Not Found');
        const recursive = query.recursive !== undefined && query.recursive !== '0' && query.recursive !== 'false';
        return [200, { sha, tree: treeEntries(files, recursive), truncated: false }];
      }
      if (method === 'POST' && kind === 'trees') {
        const base = body.base_tree === undefined ? new Map<string, TreeFile>() : r.trees.get(str(body.base_tree));
        if (!base) throw new HttpError(422, 'base_tree does not exist');
        const files = new Map(base);
        for (const e of Array.isArray(body.tree) ? (body.tree as Array<Record<string, unknown>>) : []) {
          const path = str(e.path, '');
          if (!path || path.startsWith('/')) throw new HttpError(422, 'Invalid tree path');
          if (e.sha === null) files.delete(path);
          else if (typeof e.content === 'string') {
            const buf = Buffer.from(e.content, 'utf8');
            const sha = blobSha(buf);
            r.blobs.set(sha, buf);
            files.set(path, { mode: str(e.mode, '100644'), sha });
          } else {
            const sha = str(e.sha, '');
            if (!r.blobs.has(sha)) throw new HttpError(422, `Blob ${sha} does not exist`);
            files.set(path, { mode: str(e.mode, '100644'), sha });
          }
        }
        const sha = treeSha(files);
        r.trees.set(sha, files);
        return [201, { sha, tree: treeEntries(files, false), truncated: false }];
      }
      if (method === 'POST' && kind === 'blobs') {
        const content = str(body.content, '');
        const buf = Buffer.from(content, body.encoding === 'base64' ? 'base64' : 'utf8');
        const sha = blobSha(buf);
        r.blobs.set(sha, buf);
        return [201, { sha, url: `${baseUrl}/repos/${r.owner}/${r.repo}/git/blobs/${sha}` }];
      }
      if (method === 'GET' && kind === 'blobs') {
        const buf = r.blobs.get(arg);
        if (!buf) throw new HttpError(404, 'Not Found');
        return [200, { sha: arg, size: buf.length, encoding: 'base64', content: buf.toString('base64') }];
      }
    }
    if (method === 'GET' && area === 'contents') {
      const path = tail.join('/');
      const commit = resolveCommit(r, query.ref ?? r.defaultBranch);
      const files = commit ? r.trees.get(r.commits.get(commit)?.tree ?? '') : undefined;
      const file = files?.get(path);
      const buf = file ? r.blobs.get(file.sha) : undefined;
      if (!file || !buf) throw new HttpError(404, 'Not Found');
      const base64 = buf.toString('base64').replace(/(.{60})/g, '$1\n');
      return [
        200,
        {
          type: 'file',
          encoding: 'base64',
          size: buf.length,
          name: path.split('/').pop(),
          path,
          sha: file.sha,
          content: base64,
        },
      ];
    }
    if (area === 'issues') {
      const number = tail[0] === undefined ? undefined : Number(tail[0]);
      const issue = number === undefined ? undefined : r.issues.find((i) => i.number === number);
      if (number !== undefined && !issue) throw new HttpError(404, 'Not Found');
      switch (tail.length === 2 && tail[1] === 'comments' ? `${method} comments` : key.replace(/\/\d+$/, '/n')) {
        case 'GET issues': {
          const state = query.state ?? 'open';
          const labels = query.labels ? query.labels.split(',').map((l) => l.trim()) : [];
          const all = r.issues
            .filter((i) => state === 'all' || i.state === state)
            .filter((i) => labels.every((l) => i.labels.includes(l)))
            .sort((a, b) => b.number - a.number);
          const perPage = Math.min(Number(query.per_page ?? 30), 100);
          const page = Number(query.page ?? 1);
          return [200, all.slice((page - 1) * perPage, page * perPage).map((i) => issueJson(r, i))];
        }
        case 'POST issues': {
          const title = typeof body.title === 'string' ? body.title : '';
          if (!title)
            throw new HttpError(
              422,
              'Validation Failed',
              {},
              { errors: [{ resource: 'Issue', field: 'title', code: 'missing_field' }] },
            );
          const labels = Array.isArray(body.labels) ? body.labels.map(String) : [];
          const at = now();
          const created: FakeGitHubIssue = {
            number: nextNumber(r),
            title,
            body: str(body.body, ''),
            state: 'open',
            labels,
            comments: [],
            createdAt: at,
            updatedAt: at,
          };
          r.issues.push(created);
          return [201, issueJson(r, created)];
        }
        case 'GET issues/n':
          return [200, issueJson(r, issue as FakeGitHubIssue)];
        case 'PATCH issues/n': {
          const i = issue as FakeGitHubIssue;
          if (typeof body.title === 'string') i.title = body.title;
          if (typeof body.body === 'string') i.body = body.body;
          if (body.state === 'open' || body.state === 'closed') i.state = body.state;
          if (Array.isArray(body.labels)) i.labels = body.labels.map(String);
          i.updatedAt = now();
          return [200, issueJson(r, i)];
        }
        case 'POST comments': {
          const i = issue as FakeGitHubIssue;
          i.comments.push(str(body.body, ''));
          return [
            201,
            {
              id: i.comments.length,
              body: body.body,
              html_url: `${htmlBase}/${r.owner}/${r.repo}/issues/${i.number}#issuecomment-${i.comments.length}`,
            },
          ];
        }
        case 'GET comments':
          return [200, (issue as FakeGitHubIssue).comments.map((c, n) => ({ id: n + 1, body: c }))];
      }
    }
    if (area === 'pulls') {
      if (method === 'POST' && tail.length === 0) {
        const head = str(body.head, '').replace(/^[^:]+:/, '');
        const base = str(body.base, '');
        const headSha = r.refs.get(`heads/${head}`);
        if (!headSha || !r.refs.has(`heads/${base}`))
          throw new HttpError(
            422,
            'Validation Failed',
            {},
            { errors: [{ resource: 'PullRequest', field: 'head', code: 'invalid' }] },
          );
        if (r.pulls.some((p) => p.state === 'open' && p.head === head)) {
          throw new HttpError(
            422,
            'Validation Failed',
            {},
            {
              errors: [
                {
                  resource: 'PullRequest',
                  code: 'custom',
                  message: `A pull request already exists for ${r.owner}:${head}.`,
                },
              ],
            },
          );
        }
        const pull: FakeGitHubPull = {
          number: nextNumber(r),
          title: str(body.title, ''),
          body: str(body.body, ''),
          head,
          base,
          draft: body.draft === true,
          state: 'open',
          headSha,
        };
        r.pulls.push(pull);
        return [201, pullJson(r, pull)];
      }
      if (method === 'GET' && tail.length === 0) {
        const state = query.state ?? 'open';
        const head = query.head;
        const list = r.pulls
          .filter((p) => state === 'all' || p.state === state)
          .filter((p) => head === undefined || `${r.owner}:${p.head}` === head)
          .sort((a, b) => b.number - a.number);
        return [200, list.map((p) => pullJson(r, p))];
      }
    }
    throw new HttpError(404, 'Not Found');
  }

  function searchIssues(q: string) {
    const { qualifiers, terms } = parseSearchQuery(q);
    const scopes = qualifiers.filter(([k]) => k === 'in').map(([, v]) => v.toLowerCase());
    const items: unknown[] = [];
    for (const r of repos.values()) {
      const repoQ = qualifiers.filter(([k]) => k === 'repo').map(([, v]) => v.toLowerCase());
      if (repoQ.length > 0 && !repoQ.includes(`${r.owner}/${r.repo}`.toLowerCase())) continue;
      const wantPulls = qualifiers.some(([k, v]) => (k === 'is' || k === 'type') && v === 'pr');
      if (wantPulls) continue; // only issues are searched by the adapter
      for (const i of r.issues) {
        const ok = qualifiers.every(([k, v]) => {
          if (k === 'is' || k === 'state') return v === 'issue' ? true : v === i.state;
          if (k === 'label') return i.labels.includes(v);
          return true;
        });
        if (!ok) continue;
        const haystack = [
          scopes.length === 0 || scopes.includes('title') ? i.title : '',
          scopes.length === 0 || scopes.includes('body') ? i.body : '',
          scopes.includes('comments') ? i.comments.join('\n') : '',
        ]
          .join('\n')
          .toLowerCase();
        if (terms.every((t) => haystack.includes(t))) items.push(issueJson(r, i));
      }
    }
    return { total_count: items.length, incomplete_results: false, items };
  }

  const send = (res: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void => {
    const text = status === 204 ? '' : JSON.stringify(payload);
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'x-github-api-version-selected': '2022-11-28',
      ...headers,
    });
    res.end(text);
  };

  function handle(request: RecordedRequest, res: ServerResponse): void {
    const raw = request.body;
    // Octokit percent-encodes slashes inside {ref} and {path}: the recorded path has each segment decoded.
    const { path, query, headers } = request;
    let body: Record<string, unknown> = {};
    try {
      body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    } catch {
      send(res, 400, { message: 'Problems parsing JSON' });
      return;
    }
    const method = request.method;
    const isTokenExchange = path.startsWith('/app/installations/');
    if (accepted && !isTokenExchange) {
      const token = /^(?:token|bearer)\s+(.+)$/i.exec(headers.authorization ?? '')?.[1];
      if (!token || !accepted.has(token)) {
        send(res, 401, { message: 'Bad credentials' });
        return;
      }
    }
    try {
      const [status, payload] = route(method, path.split('/').slice(1), query, body);
      send(res, status, payload);
    } catch (err) {
      if (err instanceof HttpError) send(res, err.status, { message: err.message, ...err.extra }, err.headers);
      else send(res, 500, { message: err instanceof Error ? err.message : 'internal error' });
    }
  }

  const server = await startFakeHttpServer({
    handle,
    errorBody: (status) => ({
      message: status === 404 ? 'Not Found' : `fault injected (${status})`,
      documentation_url: GITHUB_DOCS,
    }),
  });
  baseUrl = server.url;

  return {
    url: baseUrl,
    get requests() {
      return server.requests.map(recordOf);
    },
    faults: server.faults,
    get openRequests() {
      return server.openRequests;
    },
    issues: (owner, repo) => repoOf(owner, repo).issues,
    pulls: (owner, repo) => repoOf(owner, repo).pulls,
    fileAt(owner, repo, ref, path) {
      const r = repoOf(owner, repo);
      const commit = resolveCommit(r, ref);
      const file = commit ? r.trees.get(r.commits.get(commit)?.tree ?? '')?.get(path) : undefined;
      return file ? r.blobs.get(file.sha)?.toString('utf8') : undefined;
    },
    branches: (owner, repo) =>
      [...repoOf(owner, repo).refs.keys()].filter((k) => k.startsWith('heads/')).map((k) => k.slice('heads/'.length)),
    close: () => server.close(),
  };
}
