import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CodeHost, RemediationResult } from '@aiops/contracts';
import { createPrAuthor, isAllowed, type PrAuthor, type PrAuthorConfig } from '../src/pr-author/index.js';
import { createGitHubCodeHost } from '@aiops/github';
import {
  PLANTED_BUGS,
  PLANTED_SECRET,
  ciEditFixResponder,
  fixResponder,
  gitHubFault,
  mismatchedFixResponder,
  plantedBugEvidence,
  plantedBugRequest,
  redactPlantedSecret,
  rejectedVerdict,
  responderModel,
  startFakeGitHub,
  type FakeGitHub,
  type PlantedBug,
  type RecordingStructuredModel,
} from '@aiops/testkit';

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const signal = () => new AbortController().signal;
const cartBug = PLANTED_BUGS[0] as PlantedBug;

const config = (extra: Partial<PrAuthorConfig> = {}): PrAuthorConfig => ({
  repoAllowlist: ['acme/*'],
  labels: ['aiops-agent', 'canary-failure'],
  budgetMs: 20_000,
  dryRun: false,
  maxEditBytes: 4_000,
  ...extra,
});

function input(bug: PlantedBug, revision = '7') {
  const request = plantedBugRequest(bug);
  return { request, verdict: rejectedVerdict(), evidence: plantedBugEvidence(bug, request, revision) };
}

const writes = (gh: FakeGitHub) => gh.requests.filter((r) => r.method !== 'GET');

describe('PR author against the fake GitHub API', () => {
  let gh: FakeGitHub;
  let host: CodeHost;
  let authors: PrAuthor[];
  const author = (
    extra: Partial<PrAuthorConfig> = {},
    model: RecordingStructuredModel | null = responderModel(fixResponder),
  ) => {
    const a = createPrAuthor({ host, config: config(extra), redact: redactPlantedSecret, ...(model ? { model } : {}) });
    authors.push(a);
    return a;
  };

  beforeEach(async () => {
    gh = await startFakeGitHub();
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
    await gh.close();
    await Promise.all(authors.map((a) => a.settled()));
  });

  it.each(PLANTED_BUGS.map((b) => [`${b.owner}/${b.repo}`, b] as const))(
    '%s: five measurements → one issue, one draft PR that fixes the planted bug',
    async (_name, bug) => {
      const model = responderModel(fixResponder);
      const prAuthor = author({}, model);
      const results: RemediationResult[] = [];
      for (let i = 0; i < 5; i++) results.push(await prAuthor.publish(input(bug), { signal: signal() }));

      expect(gh.issues(bug.owner, bug.repo)).toHaveLength(1);
      expect(gh.pulls(bug.owner, bug.repo)).toHaveLength(1);
      const [issue] = gh.issues(bug.owner, bug.repo);
      const [pull] = gh.pulls(bug.owner, bug.repo);
      expect(results[0]).toMatchObject({
        status: 'created',
        issueUrl: expect.stringContaining(`/issues/${issue?.number}`) as unknown,
        pullRequestUrl: expect.stringContaining(`/pull/${pull?.number}`) as unknown,
      });
      for (const r of results.slice(1))
        expect(r).toMatchObject({
          status: 'existing',
          issueUrl: results[0]?.issueUrl,
          pullRequestUrl: results[0]?.pullRequestUrl,
        });
      expect(model.prompts).toHaveLength(1);

      expect(pull).toMatchObject({
        draft: true,
        base: 'main',
        head: expect.stringMatching(/^aiops\/[a-z-]+-[0-9a-f]{8}$/) as unknown,
      });
      expect(pull?.body).toContain(`Refs #${issue?.number}`);
      expect(pull?.body).not.toMatch(/\b(fixes|closes|resolves) #/i);
      const original = gh.fileAt(bug.owner, bug.repo, 'main', bug.path) ?? '';
      expect(gh.fileAt(bug.owner, bug.repo, pull?.head ?? '', bug.path)).toBe(
        original.replace(bug.fix.search, bug.fix.replace),
      );
      expect(gh.fileAt(bug.owner, bug.repo, pull?.head ?? '', '.github/workflows/ci.yml')).toBe(
        gh.fileAt(bug.owner, bug.repo, 'main', '.github/workflows/ci.yml'),
      );

      expect(issue?.labels).toEqual(['aiops-agent', 'canary-failure']);
      expect(issue?.body).toMatch(/<!-- aiops-agent:key=[0-9a-f]{16} -->/);
      expect(issue?.body).toContain(`#${pull?.number}`);
      expect(issue?.comments.join('\n')).toContain(results[0]?.pullRequestUrl);
    },
  );

  it('keeps secrets from the logs out of the fix prompt and the issue', async () => {
    const model = responderModel(fixResponder);
    await author({}, model).publish(input(cartBug), { signal: signal() });
    expect(model.prompts.join('\n')).not.toContain(PLANTED_SECRET);
    expect(model.prompts.join('\n')).toContain('[REDACTED]');
    expect(gh.issues('acme', 'cart')[0]?.body).not.toContain(PLANTED_SECRET);
  });

  it('five concurrent publishes open one issue and one PR', async () => {
    const prAuthor = author();
    const results = await Promise.all(
      Array.from({ length: 5 }, () => prAuthor.publish(input(cartBug), { signal: signal() })),
    );
    expect(gh.issues('acme', 'cart')).toHaveLength(1);
    expect(gh.pulls('acme', 'cart')).toHaveLength(1);
    expect(new Set(results.map((r) => r.pullRequestUrl)).size).toBe(1);
  });

  it('two replicas racing leave one open issue and one PR', async () => {
    const [a, b] = [author(), author()];
    const results = await Promise.all(
      [a, b, a, b].map((replica) => replica.publish(input(cartBug), { signal: signal() })),
    );
    const open = gh.issues('acme', 'cart').filter((i) => i.state === 'open');
    expect(open).toHaveLength(1);
    expect(gh.pulls('acme', 'cart')).toHaveLength(1);
    for (const r of results) expect(r.issueUrl).toContain(`/issues/${open[0]?.number}`);
  });

  it('a restarted instance finds the existing issue and PR by marker', async () => {
    const first = await author().publish(input(cartBug), { signal: signal() });
    const model = responderModel(fixResponder);
    const again = await author({}, model).publish(input(cartBug), { signal: signal() });
    expect(again).toMatchObject({ status: 'existing', issueUrl: first.issueUrl, pullRequestUrl: first.pullRequestUrl });
    expect(model.prompts).toHaveLength(0);
    expect(gh.issues('acme', 'cart')).toHaveLength(1);
    expect(gh.pulls('acme', 'cart')).toHaveLength(1);
  });

  it('a new canary revision is a new issue', async () => {
    await author().publish(input(cartBug, '7'), { signal: signal() });
    await author().publish(input(cartBug, '8'), { signal: signal() });
    expect(gh.issues('acme', 'cart')).toHaveLength(2);
  });

  it('does nothing for a healthy canary, a request without repository, or a repository off the allowlist', async () => {
    const prAuthor = author({ repoAllowlist: ['acme/web', 'other/*'] });
    const healthy = await prAuthor.publish(
      { ...input(cartBug), verdict: rejectedVerdict({ promote: true }) },
      { signal: signal() },
    );
    expect(healthy.status).toBe('skipped');
    const { repoUrl: _omit, ...noRepo } = input(cartBug).request;
    expect((await prAuthor.publish({ ...input(cartBug), request: noRepo }, { signal: signal() })).status).toBe(
      'skipped',
    );
    const refused = await prAuthor.publish(input(cartBug), { signal: signal() });
    expect(refused).toMatchObject({ status: 'skipped', reason: expect.stringContaining('allowlist') as unknown });
    expect(gh.requests).toHaveLength(0);
  });

  it('owner/. and owner/.. never match an owner/* allowlist entry', async () => {
    const prAuthor = author({ repoAllowlist: ['acme/*'] });
    for (const repoUrl of ['https://github.com/acme/..', 'https://github.com/acme/.', 'https://github.com/acme/../']) {
      const result = await prAuthor.publish(
        { ...input(cartBug), request: { ...input(cartBug).request, repoUrl } },
        { signal: signal() },
      );
      expect(result, repoUrl).toMatchObject({ status: 'skipped' });
    }
    expect(gh.requests).toHaveLength(0);
    expect(isAllowed({ owner: 'acme', repo: '..' }, ['acme/*'])).toBe(false);
    expect(isAllowed({ owner: 'acme', repo: '.' }, ['acme/*', 'acme/.'])).toBe(false);
    expect(isAllowed({ owner: 'acme', repo: '.github' }, ['acme/*'])).toBe(true);
  });

  it('dry run returns the issue and the patch and writes nothing', async () => {
    const result = await author({ dryRun: true }).publish(input(cartBug), { signal: signal() });
    expect(result.status).toBe('dry-run');
    expect(result.preview?.issueTitle).toContain('shop/cart');
    expect(result.preview?.issueBody).toContain('<!-- aiops-agent:key=');
    expect(result.preview?.patch).toContain('+\tif d == nil {');
    expect(writes(gh)).toHaveLength(0);
  });

  it('refuses an edit to a denylisted path: issue only, with the reason', async () => {
    const result = await author({}, responderModel(ciEditFixResponder)).publish(input(cartBug), { signal: signal() });
    expect(result).toMatchObject({ status: 'created', reason: expect.stringContaining('denylist') as unknown });
    expect(result.pullRequestUrl).toBeUndefined();
    expect(gh.pulls('acme', 'cart')).toHaveLength(0);
    expect(gh.branches('acme', 'cart')).toEqual(['main']);
    expect(gh.issues('acme', 'cart')[0]?.body).toContain('denylist');
  });

  it('refuses an edit whose search text does not match, and works without a model', async () => {
    const mismatch = await author({}, responderModel(mismatchedFixResponder)).publish(input(cartBug), {
      signal: signal(),
    });
    expect(mismatch.reason).toMatch(/occurs 0 times/);
    const noModel = await author({}, null).publish(input(PLANTED_BUGS[1] as PlantedBug), { signal: signal() });
    expect(noModel).toMatchObject({ status: 'created', reason: expect.stringContaining('No model') as unknown });
    expect(gh.pulls('acme', 'cart')).toHaveLength(0);
    expect(gh.pulls('acme', 'checkout')).toHaveLength(0);
  });

  it('escapes model text: no mentions, no HTML, no fence breaking', async () => {
    const hostile = rejectedVerdict({
      rootCause: '@octocat look <img src=x onerror=alert(1)> ``` closes #1 [click](https://evil.example)',
      remediation: '<script>alert(1)</script> ping @acme/security',
    });
    await author({}, null).publish({ ...input(cartBug), verdict: hostile }, { signal: signal() });
    const body = gh.issues('acme', 'cart')[0]?.body ?? '';
    expect(body).not.toMatch(/@octocat|@acme\/security/);
    expect(body).not.toMatch(/<img|<script/);
    expect(body).not.toContain('closes #1');
    expect(body).not.toContain('[click](https://evil.example)'); // escaped brackets render as text, not a link
    const rootCauseLine = body.split('\n').find((l) => l.startsWith('**Root cause:**')) ?? '';
    expect(rootCauseLine).not.toContain('```');
  });

  it('returns pending within the budget when GitHub does not answer, and never throws', async () => {
    gh.faults.inject({ kind: 'hang', match: { path: '/repos/acme/cart/issues', method: 'POST' } });
    const prAuthor = author({ budgetMs: 50 });
    expect((await prAuthor.publish(input(cartBug), { signal: signal() })).status).toBe('pending');
    expect((await prAuthor.publish(input(cartBug), { signal: signal() })).status).toBe('pending');
  });

  it('a caller that has already given up gets pending at once; the work still completes', async () => {
    const prAuthor = author();
    const controller = new AbortController();
    controller.abort();
    expect((await prAuthor.publish(input(cartBug), { signal: controller.signal })).status).toBe('pending');
    await prAuthor.settled();
    expect(gh.pulls('acme', 'cart')).toHaveLength(1);
  });

  it('returns the issue link while the fix is still being prepared, and the PR link once it exists', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const prAuthor = author({ budgetMs: 50 }, responderModel(fixResponder, gate));
    // The model waits on the gate, so the budget passes after the issue exists and before the PR does.
    let first: RemediationResult;
    do first = await prAuthor.publish(input(cartBug), { signal: signal() });
    while (first.status === 'pending' && first.issueUrl === undefined);
    expect(first).toMatchObject({ status: 'pending', issueUrl: expect.stringContaining('/issues/1') as unknown });
    expect(first.pullRequestUrl).toBeUndefined();
    release();
    await prAuthor.settled();
    const next = await prAuthor.publish(input(cartBug), { signal: signal() });
    expect(next).toMatchObject({
      status: 'existing',
      issueUrl: first.issueUrl,
      pullRequestUrl: expect.stringContaining('/pull/') as unknown,
    });
  });

  it.each(['forbidden', 'not-found', 'unprocessable', 'server-error', 'rate-limit'] as const)(
    'GitHub %s → failed with a reason, no throw',
    async (kind) => {
      gh.faults.inject(gitHubFault(kind, { match: { path: '/repos/acme/cart/issues', method: 'POST' } }));
      const result = await author().publish(input(cartBug), { signal: signal() });
      expect(result).toMatchObject({ status: 'failed', reason: expect.stringContaining('github') as unknown });
      expect(gh.issues('acme', 'cart')).toHaveLength(0);
    },
  );

  it('a failure is not remembered: the next measurement tries again', async () => {
    gh.faults.inject(gitHubFault('server-error', { match: { path: '/repos/acme/cart/issues', method: 'POST' } }));
    const prAuthor = author();
    expect((await prAuthor.publish(input(cartBug), { signal: signal() })).status).toBe('failed');
    gh.faults.clear();
    expect((await prAuthor.publish(input(cartBug), { signal: signal() })).status).toBe('created');
  });
});
