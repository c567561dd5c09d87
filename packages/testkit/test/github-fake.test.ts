import { Octokit } from '@octokit/rest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  PLANTED_BUGS,
  ciEditFixResponder,
  fixResponder,
  gitHubFault,
  mismatchedFixResponder,
  startFakeGitHub,
  type FakeGitHub,
} from '@aiops/testkit';

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

describe('fake GitHub API driven by the real Octokit', () => {
  let gh: FakeGitHub;
  let octokit: Octokit;
  beforeEach(async () => {
    gh = await startFakeGitHub();
    octokit = new Octokit({ baseUrl: gh.url, auth: 'test-token', log: quiet });
  });
  afterEach(async () => {
    await gh.close();
  });

  it('plants each bug at the line its stack frame names', () => {
    for (const bug of PLANTED_BUGS) {
      const content = gh.fileAt(bug.owner, bug.repo, 'main', bug.path);
      expect(content?.split('\n')[bug.line - 1]?.trim()).toBe(bug.buggyLine);
      expect(bug.frame).toContain(bug.path.split('/').pop());
      expect(content?.split(bug.fix.search).length).toBe(2);
    }
  });

  it('serves repos, refs with encoded slashes, recursive trees and base64 contents', async () => {
    const repo = await octokit.rest.repos.get({ owner: 'acme', repo: 'cart' });
    expect(repo.data.default_branch).toBe('main');
    const ref = await octokit.rest.git.getRef({ owner: 'acme', repo: 'cart', ref: 'heads/main' });
    const commit = await octokit.rest.git.getCommit({ owner: 'acme', repo: 'cart', commit_sha: ref.data.object.sha });
    const tree = await octokit.rest.git.getTree({
      owner: 'acme',
      repo: 'cart',
      tree_sha: commit.data.tree.sha,
      recursive: 'true',
    });
    expect(tree.data.tree.map((e) => e.path)).toEqual(
      expect.arrayContaining(['internal/cart/handler.go', '.github/workflows/ci.yml', 'internal']),
    );
    const file = await octokit.rest.repos.getContent({
      owner: 'acme',
      repo: 'cart',
      path: 'internal/cart/handler.go',
      ref: 'main',
    });
    const data = file.data as { content: string; encoding: string };
    expect(Buffer.from(data.content, 'base64').toString('utf8')).toContain('ApplyDiscount');
    expect(gh.requests.some((r) => r.path === '/repos/acme/cart/git/ref/heads/main')).toBe(true);
  });

  it('commits through the Git data API and opens a draft PR', async () => {
    const base = (await octokit.rest.git.getRef({ owner: 'acme', repo: 'web', ref: 'heads/main' })).data.object.sha;
    const baseTree = (await octokit.rest.git.getCommit({ owner: 'acme', repo: 'web', commit_sha: base })).data.tree.sha;
    const blob = await octokit.rest.git.createBlob({
      owner: 'acme',
      repo: 'web',
      content: 'fixed\n',
      encoding: 'utf-8',
    });
    const tree = await octokit.rest.git.createTree({
      owner: 'acme',
      repo: 'web',
      base_tree: baseTree,
      tree: [{ path: 'src/server.js', mode: '100644', type: 'blob', sha: blob.data.sha }],
    });
    const commit = await octokit.rest.git.createCommit({
      owner: 'acme',
      repo: 'web',
      message: 'fix',
      tree: tree.data.sha,
      parents: [base],
    });
    await octokit.rest.git.createRef({ owner: 'acme', repo: 'web', ref: 'refs/heads/aiops/fix', sha: commit.data.sha });
    await expect(
      octokit.rest.git.createRef({ owner: 'acme', repo: 'web', ref: 'refs/heads/aiops/fix', sha: commit.data.sha }),
    ).rejects.toMatchObject({ status: 422 });
    const pr = await octokit.rest.pulls.create({
      owner: 'acme',
      repo: 'web',
      title: 't',
      body: 'b',
      head: 'aiops/fix',
      base: 'main',
      draft: true,
    });
    expect(pr.data.draft).toBe(true);
    expect(gh.fileAt('acme', 'web', 'aiops/fix', 'src/server.js')).toBe('fixed\n');
    expect(gh.fileAt('acme', 'web', 'main', 'src/server.js')).toContain('item.product.price');
    const open = await octokit.rest.pulls.list({ owner: 'acme', repo: 'web', head: 'acme:aiops/fix', state: 'open' });
    expect(open.data.map((p) => p.number)).toEqual([pr.data.number]);
  });

  it('creates, lists, searches and comments on issues', async () => {
    const marker = '<!-- aiops-agent:key=abc123 -->';
    const created = await octokit.rest.issues.create({
      owner: 'acme',
      repo: 'cart',
      title: 'Canary rejected',
      body: `text\n${marker}`,
      labels: ['aiops'],
    });
    await octokit.rest.issues.create({ owner: 'acme', repo: 'cart', title: 'other', body: 'nothing' });
    const found = await octokit.rest.search.issuesAndPullRequests({
      q: 'repo:acme/cart is:issue in:body "aiops-agent:key=abc123"',
    });
    expect(found.data.items.map((i) => i.number)).toEqual([created.data.number]);
    const labelled = await octokit.rest.issues.listForRepo({
      owner: 'acme',
      repo: 'cart',
      labels: 'aiops',
      state: 'all',
    });
    expect(labelled.data).toHaveLength(1);
    await octokit.rest.issues.createComment({
      owner: 'acme',
      repo: 'cart',
      issue_number: created.data.number,
      body: 'PR opened',
    });
    expect(gh.issues('acme', 'cart')[0]?.comments).toEqual(['PR opened']);
  });

  it('injects faults with GitHub-shaped answers', async () => {
    gh.faults.inject(gitHubFault('not-found', { match: { path: '/repos/acme/cart' }, times: 1 }));
    await expect(octokit.rest.repos.get({ owner: 'acme', repo: 'cart' })).rejects.toMatchObject({ status: 404 });
    await expect(octokit.rest.repos.get({ owner: 'acme', repo: 'cart' })).resolves.toMatchObject({ status: 200 });
    gh.faults.inject(gitHubFault('rate-limit', { match: { path: /\/issues$/, method: 'POST' } }));
    const err = await octokit.rest.issues.create({ owner: 'acme', repo: 'cart', title: 'x' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 403, response: { headers: { 'x-ratelimit-remaining': '0' } } });
  });

  it('answers fix requests with the planted bug fix, and only fix requests', () => {
    const bug = PLANTED_BUGS[0];
    if (!bug) throw new Error('no planted bugs');
    const prompt = `file ${bug.path}\n${gh.fileAt(bug.owner, bug.repo, 'main', bug.path) ?? ''}`;
    const request = { model: 'm', system: 'You propose a minimal code fix.', prompt, attempt: 1 };
    expect(fixResponder(request)).toEqual({ json: { edits: [{ file: bug.path, ...bug.fix }] } });
    expect(fixResponder({ ...request, system: 'You diagnose canaries.' })).toBeUndefined();
    expect(ciEditFixResponder(request)).toMatchObject({ json: { edits: [{ file: '.github/workflows/ci.yml' }] } });
    const mismatched = mismatchedFixResponder(request) as { json: { edits: Array<{ search: string }> } };
    expect(prompt.includes(mismatched.json.edits[0]?.search ?? '')).toBe(false);
  });
});
