/**
 * The security review's findings, replayed against the built service: a canary whose traceback names denylisted
 * files next to a source file holding live credentials, a model that answers with code that exfiltrates the
 * workflow token, and a request naming a repository on another host. Fake cluster, fake Gemini (records every
 * prompt), fake GitHub (records every request), real Octokit and real redactor.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ORDERS_REPO,
  ORDERS_SECRETS,
  SEED_REPOS,
  hostileFixResponder,
  hostileFramesScenario,
  pluginRequestBody,
  responders,
  scenarios as corpus,
  startFakeGemini,
  startFakeGitHub,
  type FakeGemini,
  type FakeGitHub,
  type GeminiResponder,
} from '@aiops/testkit';
import { startKubeFixture, type KubeFixture } from '../support/fakes.js';
import { postJson, startServiceProcess, type ServiceProcess } from '../support/service-process.js';

const clean = hostileFramesScenario('clean');
const redFlag = hostileFramesScenario('red-flag');
const foreign = hostileFramesScenario('foreign', 'https://evil.example/acme/orders');
const responder: GeminiResponder = (req) => hostileFixResponder(req) ?? responders.heuristic(req);

let kube: KubeFixture;
let gemini: FakeGemini;
let github: FakeGitHub;
let service: ServiceProcess;
beforeAll(async () => {
  kube = await startKubeFixture([...corpus, clean, redFlag, foreign]);
  gemini = await startFakeGemini({ responder });
  github = await startFakeGitHub({ acceptedTokens: ['ghp_fake_token_for_tests'], repos: [...SEED_REPOS, ORDERS_REPO] });
  service = await startServiceProcess({
    ...kube.env,
    GOOGLE_API_KEY: 'fake-key-for-tests',
    GEMINI_BASE_URL: gemini.url,
    GITHUB_TOKEN: 'ghp_fake_token_for_tests',
    GITHUB_API_URL: github.url,
    // The fake API listens on loopback; repository URLs still name github.com, as in production.
    GITHUB_HOST: 'github.com',
    GITHUB_REPO_ALLOWLIST: 'acme/*',
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

const ordersRequests = () => github.requests.filter((r) => r.path.startsWith('/repos/acme/orders'));

describe('reads follow the same rules as writes', () => {
  it('a denylisted frame is not fetched; the culprit is, and the draft PR is opened', async () => {
    const { status, json } = await postJson(`${service.url}/a2a/analyze`, pluginRequestBody(clean));
    expect(status).toBe(200);
    expect(json.promote).toBe(false);
    expect(String(json.prLink)).toMatch(/\/pull\/\d+$/);
    const reads = ordersRequests()
      .filter((r) => r.method === 'GET' && /\/(contents|git\/blobs)\//.test(r.path))
      .map((r) => r.path);
    expect(reads).toEqual(['/repos/acme/orders/contents/orders/views.py']);
    expect(github.requests.some((r) => /secrets\.py|\.github\/scripts/.test(r.path))).toBe(false);
  });

  it('a secret in a source file never reaches the fake model', () => {
    const fixRequests = gemini.requests.filter((r) => /minimal code fix/.test(r.system));
    expect(fixRequests.length).toBeGreaterThan(0);
    expect(fixRequests.some((r) => r.prompt.includes('orders/views.py'))).toBe(true);
    const everything = JSON.stringify(gemini.requests.map((r) => r.body));
    for (const secret of Object.values(ORDERS_SECRETS)) expect(everything).not.toContain(secret);
  });

  it('every commit message has [skip ci], and the PR body says why', () => {
    const commits = github.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/git/commits'));
    expect(commits.length).toBeGreaterThan(0);
    for (const c of commits) expect((c.body as { message: string }).message).toContain('[skip ci]');
    for (const pull of github.pulls('acme', 'orders')) expect(pull.body).toContain('[skip ci]');
  });
});

describe('a patch a reviewer can trust to be inert until reviewed', () => {
  it('a red-flag patch becomes a suggested diff in the issue, with no branch created', async () => {
    const branchesBefore = github.branches('acme', 'orders');
    const writesBefore = ordersRequests().filter((r) => r.method === 'POST' && /\/git\//.test(r.path)).length;
    const { status, json } = await postJson(`${service.url}/a2a/analyze`, pluginRequestBody(redFlag));
    expect(status).toBe(200);
    expect(json.promote).toBe(false);
    const prAuthor = json.prAuthor as { status: string; reason?: string; issueUrl?: string; pullRequestUrl?: string };
    expect(prAuthor.reason).toMatch(/red flags/);
    expect(prAuthor.pullRequestUrl).toBeUndefined();
    expect(github.branches('acme', 'orders')).toEqual(branchesBefore);
    expect(ordersRequests().filter((r) => r.method === 'POST' && /\/git\//.test(r.path))).toHaveLength(writesBefore);
    const issue = github.issues('acme', 'orders').find((i) => i.title.includes('sec-red-flag'));
    expect(issue?.body).toMatch(/\*\*process execution\*\*/);
    expect(issue?.body).toMatch(/\*\*environment variables\*\*/);
    expect(issue?.body).toContain('```diff');
  });
});

describe('the repository URL must name the configured GitHub host', () => {
  it('a foreign host writes nothing, and the answer says why', async () => {
    const before = github.requests.length;
    const { status, json } = await postJson(`${service.url}/a2a/analyze`, pluginRequestBody(foreign));
    expect(status).toBe(200);
    expect(json.promote).toBe(false);
    expect(json).not.toHaveProperty('prLink');
    expect(json.prAuthor).toMatchObject({
      status: 'skipped',
      reason: expect.stringContaining('evil.example') as unknown,
    });
    expect(github.requests.length).toBe(before);
  });
});
