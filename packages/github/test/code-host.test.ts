import { generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CancelledError, DeadlineError, DependencyError, type CodeHost } from '@aiops/contracts';
import { createGitHubCodeHost, parseRepositoryUrl, type GitHubCodeHostOptions } from '@aiops/github';
import { gitHubFault, startFakeGitHub, type FakeGitHub } from '@aiops/testkit';

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const cart = { owner: 'acme', repo: 'cart' };
const opts = () => ({ signal: new AbortController().signal });

/** Test tuning: no pacing between writes, millisecond back-offs. Behaviour (which retries happen) is unchanged. */
function hostFor(gh: FakeGitHub, extra: Partial<GitHubCodeHostOptions> = {}): CodeHost {
  return createGitHubCodeHost({
    token: 'test-token',
    apiUrl: gh.url,
    timeoutMs: 5_000,
    log: quiet,
    retryBaseDelayMs: 1,
    rateLimitWaitUnitMs: 1,
    pacing: { writeMinTimeMs: 0, searchMinTimeMs: 0, notificationMinTimeMs: 0 },
    ...extra,
  });
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (err: unknown) => err,
  );
}

describe('GitHub code host over the fake GitHub API', () => {
  let gh: FakeGitHub;
  let host: CodeHost;
  beforeEach(async () => {
    gh = await startFakeGitHub();
    host = hostFor(gh);
  });
  afterEach(async () => {
    await gh.close();
  });

  it('parses repository URLs', () => {
    expect(parseRepositoryUrl('https://github.com/acme/cart.git')).toEqual(cart);
    expect(parseRepositoryUrl('https://ghe.example.com/acme/web/')).toEqual({ owner: 'acme', repo: 'web' });
    expect(() => parseRepositoryUrl('https://github.com/acme')).toThrow(/repoUrl/);
  });

  it('reads the repository: default branch, head, recursive tree, file contents at a ref', async () => {
    expect(await host.getRepository(cart, opts())).toEqual({ fullName: 'acme/cart', defaultBranch: 'main' });
    const head = await host.getBranchHead(cart, 'main', opts());
    expect(head?.commitSha).toMatch(/^[0-9a-f]{40}$/);
    expect(await host.getBranchHead(cart, 'no-such-branch', opts())).toBeUndefined();
    const tree = await host.getTree(cart, head?.treeSha ?? '', opts());
    expect(tree.entries.filter((e) => e.type === 'blob').map((e) => e.path)).toContain('internal/cart/handler.go');
    const file = await host.getFile(cart, 'internal/cart/handler.go', 'main', opts());
    expect(file?.content).toBe(gh.fileAt('acme', 'cart', 'main', 'internal/cart/handler.go'));
    expect(await host.getFile(cart, 'missing.go', 'main', opts())).toBeUndefined();
    expect(gh.requests.every((r) => r.authorization === 'token test-token')).toBe(true);
  });

  it('creates, finds (by label listing and by search), updates and comments on issues', async () => {
    const marker = '<!-- aiops-agent:key=k1 -->';
    const created = await host.createIssue(
      cart,
      { title: 'Canary rejected', body: `why\n${marker}`, labels: ['aiops'] },
      opts(),
    );
    expect(created).toMatchObject({ number: 1, state: 'open', labels: ['aiops'] });
    expect((await host.findIssues(cart, { marker, label: 'aiops' }, opts())).map((i) => i.number)).toEqual([1]);
    expect((await host.findIssues(cart, { marker }, opts())).map((i) => i.number)).toEqual([1]);
    expect(await host.findIssues(cart, { marker: '<!-- aiops-agent:key=other -->', label: 'aiops' }, opts())).toEqual(
      [],
    );
    const updated = await host.updateIssue(cart, 1, { body: `updated\n${marker}` }, opts());
    expect(updated.body).toContain('updated');
    await host.addIssueComment(cart, 1, 'PR: link', opts());
    expect(gh.issues('acme', 'cart')[0]?.comments).toEqual(['PR: link']);
  });

  it('commits through the Git data API and opens a draft PR it can find again', async () => {
    const head = await host.getBranchHead(cart, 'main', opts());
    if (!head) throw new Error('no main');
    const blob = await host.createBlob(cart, 'package cart\n', opts());
    const tree = await host.createTree(
      cart,
      head.treeSha,
      [{ path: 'internal/cart/handler.go', blobSha: blob.sha }],
      opts(),
    );
    const commit = await host.createCommit(
      cart,
      { message: 'fix', treeSha: tree.sha, parents: [head.commitSha] },
      opts(),
    );
    await host.createBranch(cart, 'aiops/fix-1', commit.sha, opts());
    const pr = await host.openDraftPullRequest(
      cart,
      { title: 'Fix', body: 'Refs #1', head: 'aiops/fix-1', base: 'main' },
      opts(),
    );
    expect(pr).toMatchObject({ draft: true, headBranch: 'aiops/fix-1', baseBranch: 'main', state: 'open' });
    expect(await host.findOpenPullRequest(cart, 'aiops/fix-1', opts())).toEqual(pr);
    expect(await host.findOpenPullRequest(cart, 'aiops/other', opts())).toBeUndefined();
    expect(gh.fileAt('acme', 'cart', 'aiops/fix-1', 'internal/cart/handler.go')).toBe('package cart\n');
    expect(gh.fileAt('acme', 'cart', 'aiops/fix-1', 'README.md')).toBe(gh.fileAt('acme', 'cart', 'main', 'README.md'));
  });

  it('authenticates as a GitHub App installation', async () => {
    await gh.close();
    gh = await startFakeGitHub({ acceptedTokens: [] });
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const appHost = createGitHubCodeHost({
      app: { appId: '42', privateKey, installationId: '7' },
      apiUrl: gh.url,
      timeoutMs: 5_000,
      log: quiet,
    });
    expect((await appHost.getRepository(cart, opts())).defaultBranch).toBe('main');
    const exchange = gh.requests.find((r) => r.path === '/app/installations/7/access_tokens');
    expect(exchange?.authorization).toMatch(/^bearer /i);
    expect(gh.requests.at(-1)?.authorization).toMatch(/^token ghs_fake_installation_7/);
  });

  it('refuses to build without credentials', () => {
    expect(() => createGitHubCodeHost({ apiUrl: gh.url, timeoutMs: 1000 })).toThrow(/GITHUB_TOKEN/);
  });

  it('maps 403, 404 and 422 to DependencyError with the upstream status, without retrying', async () => {
    gh.faults.inject(gitHubFault('forbidden', { match: { path: '/repos/acme/cart' } }));
    const forbidden = await failure(host.getRepository(cart, opts()));
    expect(forbidden).toBeInstanceOf(DependencyError);
    expect(forbidden).toMatchObject({ dependency: 'github', upstreamStatus: 403 });
    expect(gh.requests.filter((r) => r.path === '/repos/acme/cart')).toHaveLength(1);

    const missing = await failure(host.getRepository({ owner: 'acme', repo: 'nope' }, opts()));
    expect(missing).toMatchObject({ dependency: 'github', upstreamStatus: 404 });

    const head = await host.getBranchHead(cart, 'main', opts());
    await host.createBranch(cart, 'aiops/x', head?.commitSha ?? '', opts());
    const exists = await failure(host.createBranch(cart, 'aiops/x', head?.commitSha ?? '', opts()));
    expect(exists).toMatchObject({ dependency: 'github', upstreamStatus: 422 });
  });

  it('retries 500s, then fails with the status', async () => {
    gh.faults.inject(gitHubFault('server-error', { match: { path: '/repos/acme/cart' }, times: 1 }));
    expect((await host.getRepository(cart, opts())).fullName).toBe('acme/cart');
    gh.faults.clear();
    gh.faults.inject(gitHubFault('server-error', { match: { path: '/repos/acme/cart' } }));
    const before = gh.requests.length;
    const err = await failure(host.getRepository(cart, opts()));
    expect(err).toMatchObject({ dependency: 'github', upstreamStatus: 500 });
    expect(gh.requests.length - before).toBe(3); // first try + 2 retries
  });

  it('waits out a primary rate limit once, then fails with retry-after', async () => {
    gh.faults.inject(
      gitHubFault('rate-limit', { match: { path: '/repos/acme/cart/issues', method: 'POST' }, times: 1 }),
    );
    expect((await host.createIssue(cart, { title: 't', body: 'b', labels: [] }, opts())).number).toBe(1);
    gh.faults.inject(gitHubFault('rate-limit', { match: { path: '/repos/acme/cart/issues', method: 'POST' } }));
    const before = gh.requests.length;
    const err = await failure(host.createIssue(cart, { title: 't', body: 'b', labels: [] }, opts()));
    expect(err).toBeInstanceOf(DependencyError);
    expect(err).toMatchObject({ upstreamStatus: 403, message: expect.stringContaining('rate limited') as unknown });
    expect((err as DependencyError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(gh.requests.length - before).toBe(2);
  });

  it('retries a secondary rate limit once, then fails', async () => {
    gh.faults.inject(gitHubFault('secondary-rate-limit', { match: { path: '/search/issues' } }));
    const before = gh.requests.length;
    const err = await failure(host.findIssues(cart, { marker: 'm' }, opts()));
    expect(err).toMatchObject({ dependency: 'github', upstreamStatus: 403 });
    expect(gh.requests.length - before).toBe(2);
  });

  it('stops on the caller abort (CancelledError) and on its own deadline (DependencyError)', async () => {
    gh.faults.inject({ kind: 'hang', match: { path: '/repos/acme/cart' } });
    const controller = new AbortController();
    const pending = failure(host.getRepository(cart, { signal: controller.signal }));
    controller.abort();
    expect(await pending).toBeInstanceOf(CancelledError);

    const hurried = hostFor(gh, { timeoutMs: 50, retries: 0 });
    const err = await failure(hurried.getRepository(cart, opts()));
    expect(err).toBeInstanceOf(DependencyError);
    expect((err as Error).message).toMatch(/no answer within 50 ms/);
  });

  it("keeps a deadline's reason when the caller's deadline aborts a call in flight", async () => {
    gh.faults.inject({ kind: 'hang', match: { path: '/repos/acme/cart' } });
    const controller = new AbortController();
    const before = gh.requests.length;
    const pending = failure(host.getRepository(cart, { signal: controller.signal }));
    await expect.poll(() => gh.requests.length).toBeGreaterThan(before);
    const deadline = new DeadlineError();
    controller.abort(deadline);
    expect(await pending).toBe(deadline);
  });
});
