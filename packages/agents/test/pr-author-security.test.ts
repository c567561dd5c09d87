/**
 * The PR author as an attacker would try it, against the fake GitHub API driven by the real Octokit adapter and the
 * project's own redactor: the canary chooses the stack frames, the model's answer is hostile, the URL names another
 * host.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CodeHost } from '@aiops/contracts';
import { createRedactor } from '@aiops/evidence';
import { createGitHubCodeHost } from '@aiops/github';
import {
  HOSTILE_FRAMES,
  ORDERS_BUG,
  ORDERS_REPO,
  ORDERS_SECRETS,
  SEED_REPOS,
  hostileFixResponder,
  plantedBugEvidence,
  plantedBugRequest,
  rejectedVerdict,
  responderModel,
  startFakeGitHub,
  type FakeGitHub,
  type PlantedBug,
  type RecordingStructuredModel,
} from '@aiops/testkit';
import {
  createPrAuthor,
  readRefusal,
  repositoryTarget,
  DEFAULT_PATH_DENYLIST,
  type PrAuthor,
  type PrAuthorConfig,
} from '../src/pr-author/index.js';

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const signal = () => new AbortController().signal;
const redactor = createRedactor();
const redact = (text: string) => redactor.redact(text);

const ordersBug: PlantedBug = {
  owner: 'acme',
  repo: 'orders',
  path: ORDERS_BUG.path,
  line: ORDERS_BUG.line,
  buggyLine: 'customer_id = payload["customer_id"]',
  frame: HOSTILE_FRAMES.join('\n'),
  fix: ORDERS_BUG,
};

function input(namespace: string, repoUrl?: string) {
  const request = plantedBugRequest(ordersBug, { namespace, ...(repoUrl ? { repoUrl } : {}) });
  return { request, verdict: rejectedVerdict(), evidence: plantedBugEvidence(ordersBug, request) };
}

const contentReads = (gh: FakeGitHub) =>
  gh.requests.filter((r) => r.method === 'GET' && /\/(contents|git\/blobs)\//.test(r.path)).map((r) => r.path);
const gitWrites = (gh: FakeGitHub) =>
  gh.requests.filter((r) => r.method === 'POST' && /\/git\/(blobs|trees|commits|refs)$/.test(r.path));

describe('PR author under attack', () => {
  let gh: FakeGitHub;
  let host: CodeHost;
  let authors: PrAuthor[];
  const author = (
    extra: Partial<PrAuthorConfig> = {},
    model: RecordingStructuredModel = responderModel(hostileFixResponder),
  ) => {
    const a = createPrAuthor({
      host,
      model,
      redact,
      config: {
        repoAllowlist: ['acme/*'],
        labels: ['aiops'],
        budgetMs: 20_000,
        dryRun: false,
        maxEditBytes: 8_000,
        ...extra,
      },
    });
    authors.push(a);
    return { author: a, model };
  };

  beforeEach(async () => {
    gh = await startFakeGitHub({ repos: [...SEED_REPOS, ORDERS_REPO] });
    host = createGitHubCodeHost({
      token: 't',
      apiUrl: gh.url,
      timeoutMs: 5_000,
      log: quiet,
      retryBaseDelayMs: 1,
      rateLimitWaitUnitMs: 1,
      pacing: { writeMinTimeMs: 0, searchMinTimeMs: 0, notificationMinTimeMs: 0 },
    });
    authors = [];
  });
  afterEach(async () => {
    await Promise.all(authors.map((a) => a.settled()));
    await gh.close();
  });

  it('never fetches a denylisted file the stack frames name, and the issue says which were not read', async () => {
    const { author: a } = author();
    await a.publish(input('sec-clean'), { signal: signal() });
    const reads = contentReads(gh);
    expect(reads).toEqual(['/repos/acme/orders/contents/orders/views.py']);
    const body = gh.issues('acme', 'orders')[0]?.body ?? '';
    expect(body).toContain('.github/scripts/release.py');
    expect(body).toContain('orders/secrets.py');
    expect(body).toMatch(/Not read/);
  });

  it('redacts file contents before the prompt: no committed secret reaches the model', async () => {
    const { author: a, model } = author();
    await a.publish(input('sec-clean'), { signal: signal() });
    const prompts = model.prompts.join('\n');
    expect(prompts).toContain('orders/views.py');
    for (const secret of Object.values(ORDERS_SECRETS)) expect(prompts).not.toContain(secret);
    expect(prompts).toMatch(/STRIPE_API_KEY = "?\[REDACTED:/);
  });

  it('commits the repository text (not the redacted view) with [skip ci], and the PR body says why', async () => {
    const { author: a } = author();
    const result = await a.publish(input('sec-clean'), { signal: signal() });
    expect(result.pullRequestUrl).toBeDefined();
    const [pull] = gh.pulls('acme', 'orders');
    const fixed = gh.fileAt('acme', 'orders', pull?.head ?? '', ORDERS_BUG.path) ?? '';
    expect(fixed).toContain(ORDERS_SECRETS.stripeKey); // untouched lines stay as they were
    expect(fixed).not.toContain('[REDACTED');
    expect(fixed).toContain('customer_id is required');
    const commits = gitWrites(gh).filter((r) => r.path.endsWith('/git/commits'));
    expect(commits).toHaveLength(1);
    for (const c of commits) expect((c.body as { message: string }).message).toContain('[skip ci]');
    expect(pull?.body).toContain('[skip ci]');
    expect(pull?.body).toMatch(/no push or pull_request workflow/);
  });

  it('refuses an edit whose search text touches a redacted span, and the issue says so', async () => {
    const { author: a } = author();
    const result = await a.publish(input('sec-redacted-edit'), { signal: signal() });
    expect(result.reason).toMatch(/touches a redacted secret/);
    expect(gitWrites(gh)).toHaveLength(0);
    expect(gh.issues('acme', 'orders')[0]?.body).toMatch(/touches a redacted secret/);
  });

  it('keeps a patch with red flags as a suggested diff in the issue: no blob, tree, commit or branch', async () => {
    const { author: a } = author();
    const result = await a.publish(input('sec-red-flag'), { signal: signal() });
    expect(result.status).toBe('created');
    expect(result.reason).toMatch(/red flags \(.*process execution.*\)/);
    expect(result.pullRequestUrl).toBeUndefined();
    expect(gitWrites(gh)).toHaveLength(0);
    expect(gh.branches('acme', 'orders')).toEqual(['main']);
    const body = gh.issues('acme', 'orders')[0]?.body ?? '';
    expect(body).toMatch(/not pushed: its added lines raise red flags/);
    for (const flag of ['process execution', 'network call', 'environment variables', 'dynamic code'])
      expect(body).toContain(`**${flag}**`);
    expect(body).toContain("+    __import__('os').system(");
    expect(body).toContain('```diff');
  });

  it('PR_AUTHOR_MODE=issue asks the model for nothing; suggest puts a clean fix in the issue and pushes nothing', async () => {
    const issueOnly = author({ mode: 'issue' });
    const r1 = await issueOnly.author.publish(input('sec-clean'), { signal: signal() });
    expect(issueOnly.model.prompts).toHaveLength(0);
    expect(r1.reason).toMatch(/PR_AUTHOR_MODE=issue/);
    const suggest = author({ mode: 'suggest' });
    const r2 = await suggest.author.publish(input('sec-suggest'), { signal: signal() });
    expect(r2.reason).toMatch(/suggested diff/);
    expect(gitWrites(gh)).toHaveLength(0);
    const body = gh.issues('acme', 'orders').find((i) => i.title.includes('sec-suggest'))?.body ?? '';
    expect(body).toContain('+        return _json(400, {"error": "customer_id is required"})');
  });

  it('a dry run shows the red flags and no branch', async () => {
    const { author: a } = author({ dryRun: true });
    const result = await a.publish(input('sec-red-flag'), { signal: signal() });
    expect(result.preview?.redFlags).toEqual(
      expect.arrayContaining([expect.stringMatching(/^process-execution: orders\/views\.py:\d+$/)]),
    );
    expect(result.preview?.branch).toBeUndefined();
    expect(result.preview?.issueBody).toContain('red flags');
  });

  it.each([
    [
      'another host',
      'https://evil.example/acme/orders',
      /names the host evil\.example, not the configured GitHub host github\.com/,
    ],
    [
      'credentials that hide the host',
      'https://github.com@evil.example/acme/orders',
      /carries credentials|evil\.example/,
    ],
    ['a look-alike host', 'https://github.com.evil.example/acme/orders', /github\.com\.evil\.example/],
    ['a deeper path', 'https://github.com/acme/orders/tree/main', /not a repository URL/],
  ])('a repository URL with %s writes nothing and says why', async (_label, url, reason) => {
    const { author: a } = author();
    const result = await a.publish(input('sec-foreign', url), { signal: signal() });
    expect(result).toMatchObject({ status: 'skipped', reason: expect.stringMatching(reason) as unknown });
    expect(gh.requests).toHaveLength(0);
  });

  it('a GitHub Enterprise host is accepted when configured, github.com then is not', () => {
    expect(repositoryTarget('https://ghe.example.com/acme/orders.git', 'ghe.example.com')).toEqual({
      ok: true,
      repo: { owner: 'acme', repo: 'orders' },
    });
    expect(repositoryTarget('https://github.com/acme/orders', 'ghe.example.com').ok).toBe(false);
  });

  it('escapes mentions, links and HTML in commit messages', async () => {
    const hostile = responderModel((req) => {
      const answer = hostileFixResponder(req) as { json: { edits: Array<Record<string, string>> } } | undefined;
      for (const e of answer?.json.edits ?? []) e.rationale = '@octocat <img src=x> https://evil.example closes #1';
      return answer;
    });
    const { author: a } = author({}, hostile);
    await a.publish(input('sec-escape'), { signal: signal() });
    const message = (gitWrites(gh).find((r) => r.path.endsWith('/git/commits'))?.body as { message: string }).message;
    expect(message).toContain('[skip ci]');
    expect(message).toContain('evil.example');
    expect(message).not.toMatch(/@octocat|<img|https:\/\/evil|closes #1/);
  });

  it('does not read links, non-files or paths outside the repository', () => {
    const entry = (path: string, mode = '100644', type: 'blob' | 'tree' | 'commit' = 'blob') => ({
      path,
      mode,
      type,
      sha: 'x',
    });
    expect(readRefusal(entry('src/app.py', '120000'), DEFAULT_PATH_DENYLIST)).toMatch(/link/);
    expect(readRefusal(entry('vendor/lib', '160000', 'commit'), DEFAULT_PATH_DENYLIST)).toMatch(/not a file/);
    expect(readRefusal(entry('../etc/passwd'), DEFAULT_PATH_DENYLIST)).toMatch(/repository path/);
    expect(readRefusal(entry('config/credentials.json'), DEFAULT_PATH_DENYLIST)).toMatch(/denylist/);
    expect(readRefusal(entry('src/app.py'), DEFAULT_PATH_DENYLIST)).toBeUndefined();
  });
});
