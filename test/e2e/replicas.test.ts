/**
 * Two replicas of the built service behind one address (a round-robin proxy, as a Kubernetes Service spreads
 * requests), sharing state through a real redis-server (REDIS_URL): a measurement answered by one replica is the
 * "previous measurement" for the other, and the other reuses its diagnosis instead of asking the model again.
 * Without redis-server this suite fails and says how to install it.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  pluginRequestBody,
  responders,
  scenarioById,
  startFakeGemini,
  startFakeGitHub,
  startRedisServer,
  type FakeGemini,
  type FakeGitHub,
  type RedisServer,
} from '@aiops/testkit';
import { startKubeFixture, type KubeFixture } from '../support/fakes.js';
import { metricSum, postJson, startServiceProcess, type ServiceProcess } from '../support/service-process.js';

/** One address for several replicas: each new request goes to the next one, in turn. */
async function roundRobin(targets: string[]): Promise<{ url: string; served: string[]; close(): Promise<void> }> {
  let next = 0;
  const served: string[] = [];
  const server: Server = createServer((req, res) => {
    const target = new URL(targets[next++ % targets.length]!);
    served.push(target.origin);
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    served,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const panic = scenarioById('go-panic')!;
/** The same failure in another rollout, for the simultaneous measurements. */
const twin = { ...structuredClone(panic), id: 'replicas-twin', namespace: 'replicas-twin' };

let redis: RedisServer;
let kube: KubeFixture;
let gemini: FakeGemini;
let github: FakeGitHub;
let replicas: ServiceProcess[] = [];
let proxy: Awaited<ReturnType<typeof roundRobin>>;
beforeAll(async () => {
  redis = await startRedisServer();
  kube = await startKubeFixture([panic, twin]);
  // A model slow enough that two measurements arriving together overlap.
  gemini = await startFakeGemini({
    responder: async (request) => {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      return responders.heuristic(request);
    },
  });
  github = await startFakeGitHub({ acceptedTokens: ['ghp_fake_token_for_tests'] });
  const env = {
    ...kube.env,
    GOOGLE_API_KEY: 'fake-key-for-tests',
    GEMINI_BASE_URL: gemini.url,
    REDIS_URL: redis.url,
    EVIDENCE_CACHE_TTL_SECONDS: '900',
    GITHUB_TOKEN: 'ghp_fake_token_for_tests',
    GITHUB_API_URL: github.url,
    GITHUB_HOST: 'github.com',
    GITHUB_REPO_ALLOWLIST: 'acme/*',
    PR_AUTHOR_MODE: 'issue',
    PR_AUTHOR_BUDGET_MS: '30000',
  };
  replicas = await Promise.all([startServiceProcess(env), startServiceProcess(env)]);
  proxy = await roundRobin(replicas.map((r) => r.url));
});
afterAll(async () => {
  await proxy?.close();
  await Promise.all(replicas.map((r) => r.stop()));
  await gemini?.close();
  await github?.close();
  await kube?.close();
  await redis?.close();
});

interface Answer {
  promote: boolean;
  evidence: { findings: Array<{ id: string; hard: boolean; history?: string }> };
}

describe('two replicas sharing Redis', () => {
  it("the second replica sees the first one's measurement and reuses its diagnosis (one model call)", async () => {
    const first = await postJson(`${proxy.url}/a2a/analyze`, pluginRequestBody(panic));
    const second = await postJson(`${proxy.url}/a2a/analyze`, pluginRequestBody(panic));
    expect(new Set(proxy.served).size).toBe(2);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect((first.json as unknown as Answer).promote).toBe(false);
    const hard = (second.json as unknown as Answer).evidence.findings.filter((f) => f.hard);
    expect(hard.length).toBeGreaterThan(0);
    for (const f of hard) expect(f.history).toBe('seen in the previous measurement');
    expect(gemini.requests).toHaveLength(1);
    expect(await metricSum(replicas[1]!.url, 'aiops_agent_diagnosis_cache_total{result="hit"}')).toBe(1);
  });
});

describe('the same failing rollout measured on both replicas at once', () => {
  it('runs one analysis: one model call and one issue, both replicas answer with its verdict', async () => {
    const before = gemini.requests.length;
    const issuesBefore = github.issues('acme', 'cart').length;
    const body = pluginRequestBody(twin);
    // Straight to each replica, at the same moment, as two plugin measurements landing on two pods would.
    const answers = await Promise.all(replicas.map((r) => postJson(`${r.url}/a2a/analyze`, body)));
    for (const a of answers) {
      expect(a.status).toBe(200);
      expect(a.json.promote).toBe(false);
    }
    expect(gemini.requests.length - before).toBe(1);
    await expect.poll(() => github.issues('acme', 'cart').length).toBe(issuesBefore + 1);
    expect(
      (await metricSum(replicas[0]!.url, 'aiops_agent_coalesced_requests_total')) +
        (await metricSum(replicas[1]!.url, 'aiops_agent_coalesced_requests_total')),
    ).toBe(1);
  });
});
