import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CancelledError, DependencyError } from '@aiops/contracts';
import { createTokenReviewer } from '../src/token-review.js';

/** A tiny API server answering only TokenReview, the way kube-apiserver does. */
interface ReviewCall {
  token: string;
  audiences?: string[];
}
const calls: ReviewCall[] = [];
let failWith: number | undefined;
let hang = false;
/** An API server that ignores spec.audiences (and so answers no status.audiences). */
let audienceUnaware = false;
const API_AUDIENCE = 'https://kubernetes.default.svc';
const TOKEN_AUDIENCES: Record<string, string[]> = {
  'good-token': ['aiops-agent', API_AUDIENCE],
  'api-token': [API_AUDIENCE],
};
let server: Server;
let kubeConfig: KubeConfig;

function handle(req: IncomingMessage, res: ServerResponse): void {
  let body = '';
  req.on('data', (chunk: Buffer) => (body += chunk.toString()));
  req.on('end', () => {
    if (req.method !== 'POST' || req.url?.split('?')[0] !== '/apis/authentication.k8s.io/v1/tokenreviews') {
      res.writeHead(404).end();
      return;
    }
    if (hang) return; // never answers: the client's timeout must fire
    if (failWith !== undefined) {
      res.writeHead(failWith, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: failWith }));
      return;
    }
    const review = JSON.parse(body) as { spec: { token: string; audiences?: string[] } };
    calls.push({ token: review.spec.token, ...(review.spec.audiences ? { audiences: review.spec.audiences } : {}) });
    // Like kube-apiserver: a token is valid for the audiences it was minted for; the review answers the intersection
    // with the requested ones (the API server's own audience when none is requested).
    const requested = review.spec.audiences ?? [API_AUDIENCE];
    const matched = (TOKEN_AUDIENCES[review.spec.token] ?? []).filter((a) => audienceUnaware || requested.includes(a));
    const ok = matched.length > 0;
    res.writeHead(201, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenReview',
        spec: review.spec,
        status: ok
          ? {
              authenticated: true,
              user: { username: 'system:serviceaccount:ops:caller', groups: ['system:serviceaccounts'] },
              ...(audienceUnaware ? {} : { audiences: matched }),
            }
          : { authenticated: false, error: 'invalid bearer token' },
      }),
    );
  });
}

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'fake', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'agent', token: 'agent-sa-token' }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'agent' }],
    currentContext: 'fake',
  });
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  calls.length = 0;
  failWith = undefined;
  hang = false;
  audienceUnaware = false;
});

const signal = () => new AbortController().signal;

describe('createTokenReviewer', () => {
  it('authenticates a valid service-account token and names the user', async () => {
    const reviewer = createTokenReviewer(kubeConfig, { timeoutMs: 5_000, audiences: ['aiops-agent'] });
    await expect(reviewer.review('good-token', { signal: signal() })).resolves.toEqual({
      authenticated: true,
      user: 'system:serviceaccount:ops:caller',
    });
    expect(calls).toEqual([{ token: 'good-token', audiences: ['aiops-agent'] }]);
  });

  it('refuses a token minted for another audience, and a review that does not confirm the audience', async () => {
    const reviewer = createTokenReviewer(kubeConfig, { timeoutMs: 5_000, audiences: ['aiops-agent'], cacheTtlMs: 0 });
    await expect(reviewer.review('api-token', { signal: signal() })).resolves.toEqual({ authenticated: false });
    audienceUnaware = true;
    await expect(reviewer.review('good-token', { signal: signal() })).resolves.toEqual({ authenticated: false });
    expect(calls.every((c) => c.audiences?.[0] === 'aiops-agent')).toBe(true);
  });

  it('refuses a token the API server does not authenticate', async () => {
    const reviewer = createTokenReviewer(kubeConfig, { timeoutMs: 5_000 });
    await expect(reviewer.review('bad-token', { signal: signal() })).resolves.toEqual({ authenticated: false });
  });

  it('caches answers briefly, per token', async () => {
    let now = 1_000;
    const reviewer = createTokenReviewer(kubeConfig, { timeoutMs: 5_000, cacheTtlMs: 10_000, now: () => now });
    await reviewer.review('good-token', { signal: signal() });
    await reviewer.review('good-token', { signal: signal() });
    await reviewer.review('bad-token', { signal: signal() });
    expect(calls.map((c) => c.token)).toEqual(['good-token', 'bad-token']);
    now += 10_001;
    await reviewer.review('good-token', { signal: signal() });
    expect(calls.map((c) => c.token)).toEqual(['good-token', 'bad-token', 'good-token']);
  });

  it('reports an API server failure as a kubernetes dependency error, not as "unauthenticated"', async () => {
    failWith = 500;
    const reviewer = createTokenReviewer(kubeConfig, { timeoutMs: 5_000 });
    const err = await reviewer.review('good-token', { signal: signal() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DependencyError);
    expect(err).toMatchObject({ dependency: 'kubernetes', upstreamStatus: 500 });
    expect((err as Error).message).not.toContain('good-token');
  });

  it('gives up after its timeout with a dependency error', async () => {
    hang = true;
    const reviewer = createTokenReviewer(kubeConfig, { timeoutMs: 50 });
    await expect(reviewer.review('good-token', { signal: signal() })).rejects.toMatchObject({
      name: 'DependencyError',
      dependency: 'kubernetes',
    });
  });

  it("stops when the caller's signal aborts", async () => {
    hang = true;
    const reviewer = createTokenReviewer(kubeConfig, { timeoutMs: 30_000 });
    const controller = new AbortController();
    const pending = reviewer.review('good-token', { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(CancelledError);
  });
});
