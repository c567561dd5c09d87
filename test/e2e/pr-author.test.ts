/**
 * The PR author end to end: the built service, the fake cluster, the fake Gemini (diagnosis + fix), the fake GitHub
 * driven by the real Octokit. A failing scenario measured five times gives one issue and one draft PR that fixes
 * the planted bug; a healthy one creates nothing; GitHub failures never change the verdict.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  PLANTED_BUGS,
  fixResponder,
  gitHubFault,
  pluginRequestBody,
  responders,
  scenarioById,
  startFakeGemini,
  startFakeGitHub,
  type FakeGemini,
  type FakeGitHub,
  type GeminiResponder,
} from '@aiops/testkit';
import { startKubeFixture, type KubeFixture } from '../support/fakes.js';
import { postJson, startServiceProcess, type ServiceProcess } from '../support/service-process.js';

/** Fix requests get the planted bug's minimal edit; diagnosis requests get the sensible fake model. */
const responder: GeminiResponder = (req) => fixResponder(req) ?? responders.heuristic(req);

let kube: KubeFixture;
let gemini: FakeGemini;
let github: FakeGitHub;
let service: ServiceProcess;
beforeAll(async () => {
  kube = await startKubeFixture();
  gemini = await startFakeGemini({ responder });
  github = await startFakeGitHub({ acceptedTokens: ['ghp_fake_token_for_tests'] });
  service = await startServiceProcess({
    ...kube.env,
    GOOGLE_API_KEY: 'fake-key-for-tests',
    GEMINI_BASE_URL: gemini.url,
    GITHUB_TOKEN: 'ghp_fake_token_for_tests',
    GITHUB_API_URL: github.url,
    GITHUB_HOST: 'github.com',
    GITHUB_REPO_ALLOWLIST: 'acme/*',
    GITHUB_ISSUE_LABELS: 'aiops,jules',
    // Long enough for the whole issue + commit + draft PR, so the first answer carries the PR link.
    PR_AUTHOR_BUDGET_MS: '60000',
    ANALYSIS_DEADLINE_MS: '120000',
  });
});
afterAll(async () => {
  await service.stop();
  await github.close();
  await gemini.close();
  await kube.close();
});
afterEach(() => github.faults.clear());

describe('one issue and one draft PR per failure', () => {
  it('go-panic measured five times: one issue, one draft PR fixing the planted bug, prLink returned', async () => {
    const body = pluginRequestBody(scenarioById('go-panic')!);
    const links: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { status, json } = await postJson(`${service.url}/a2a/analyze`, body);
      expect(status).toBe(200);
      expect(json.promote).toBe(false);
      links.push(String(json.prLink));
    }
    const issues = github.issues('acme', 'cart');
    const pulls = github.pulls('acme', 'cart');
    expect(issues).toHaveLength(1);
    expect(issues[0]!.labels).toEqual(expect.arrayContaining(['aiops', 'jules']));
    expect(pulls).toHaveLength(1);
    expect(pulls[0]!.draft).toBe(true);
    expect(links[0]).toMatch(/\/pull\/\d+$/);
    expect(new Set(links).size).toBe(1);
    const bug = PLANTED_BUGS.find((b) => b.repo === 'cart')!;
    const fixed = github.fileAt('acme', 'cart', pulls[0]!.head, bug.path)!;
    expect(fixed).toContain(bug.fix.replace);
    expect(fixed).not.toContain(bug.fix.search);
    const commits = github.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/git/commits'));
    expect(commits).toHaveLength(1);
    for (const c of commits) expect((c.body as { message: string }).message).toContain('[skip ci]');
  });

  it('a healthy scenario with a repository creates nothing', async () => {
    const healthy = { ...scenarioById('healthy')!, repoUrl: 'https://github.com/acme/web' };
    const before = github.requests.filter((r) => r.method !== 'GET').length;
    const { json } = await postJson(`${service.url}/a2a/analyze`, pluginRequestBody(healthy));
    expect(json.promote).toBe(true);
    expect(json).not.toHaveProperty('prLink');
    expect(github.requests.filter((r) => r.method !== 'GET').length).toBe(before);
  });

  it.each(['forbidden', 'not-found', 'unprocessable', 'server-error', 'rate-limit'] as const)(
    'GitHub %s never changes the verdict',
    async (kind) => {
      github.faults.inject(gitHubFault(kind, { match: { path: /^\/repos\/acme\/web/ } }));
      const { status, json } = await postJson(
        `${service.url}/a2a/analyze`,
        pluginRequestBody(scenarioById('node-typeerror')!),
      );
      expect(status).toBe(200);
      expect(json.promote).toBe(false);
    },
  );
});

describe('dry run', () => {
  let dryRun: ServiceProcess;
  beforeAll(async () => {
    dryRun = await startServiceProcess({
      ...kube.env,
      GOOGLE_API_KEY: 'fake-key-for-tests',
      GEMINI_BASE_URL: gemini.url,
      GITHUB_TOKEN: 'ghp_fake_token_for_tests',
      GITHUB_API_URL: github.url,
      GITHUB_HOST: 'github.com',
      GITHUB_REPO_ALLOWLIST: 'acme/checkout',
      GITHUB_DRY_RUN: 'true',
      PR_AUTHOR_BUDGET_MS: '60000',
      ANALYSIS_DEADLINE_MS: '120000',
    });
  });
  afterAll(async () => {
    await dryRun.stop();
  });

  it('puts the issue and the patch it would create in the answer and the logs, and writes nothing to GitHub', async () => {
    const writesBefore = github.requests.filter((r) => r.method !== 'GET').length;
    const { json } = await postJson(`${dryRun.url}/a2a/analyze`, pluginRequestBody(scenarioById('java-npe')!));
    expect(json.promote).toBe(false);
    const prAuthor = json.prAuthor as {
      status: string;
      preview: { issueTitle: string; issueBody: string; patch?: string };
    };
    expect(prAuthor.status).toBe('dry-run');
    expect(prAuthor.preview.issueBody).toContain('NullPointerException');
    expect(prAuthor.preview.patch).toContain('PriceService.java');
    expect(github.requests.filter((r) => r.method !== 'GET').length).toBe(writesBefore);
    expect(github.issues('acme', 'checkout')).toHaveLength(0);
    const logged = JSON.parse(await dryRun.waitForLog('dry run: issue and fix that would be opened')) as {
      patch?: string;
    };
    expect(logged.patch).toContain('PriceService.java');
  });
});
