import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelledError, DeadlineError, DependencyError, type ClusterReader } from '@aiops/contracts';
import { startFakeKubeApi, type FakeKubeApi, type Scenario } from '@aiops/testkit';
import { createClusterReader, createTokenReviewer, loadKubeConfig } from '@aiops/kube';

const scenario: Scenario = {
  id: 'adapter-test',
  title: 'adapter test',
  description: 'one stable pod, one crash-looping canary pod with an istio sidecar first, one pod that cannot pull',
  namespace: 'adapter-test',
  rolloutName: 'shop',
  rollout: { revision: '7', canaryWeight: 20, stablePodHash: 'aaa111', canaryPodHash: 'bbb222' },
  pods: [
    {
      name: 'shop-aaa111-x1',
      side: 'stable',
      labels: { app: 'shop', role: 'stable' },
      podTemplateHash: 'aaa111',
      containers: [{ name: 'app', image: 'ghcr.io/acme/shop:1.0.0', logs: ['line 1', 'line 2', 'line 3', 'line 4'] }],
    },
    {
      name: 'shop-bbb222-y1',
      side: 'canary',
      labels: { app: 'shop', role: 'canary' },
      podTemplateHash: 'bbb222',
      containers: [
        {
          name: 'istio-proxy',
          image: 'docker.io/istio/proxyv2:1.22.0',
          logs: ['[2025-01-01T00:00:00.000Z] "GET /healthz HTTP/1.1" 200'],
        },
        {
          name: 'app',
          image: 'ghcr.io/acme/shop:1.1.0',
          ready: false,
          restartCount: 5,
          state: {
            state: 'waiting',
            reason: 'CrashLoopBackOff',
            message: 'back-off 2m40s restarting failed container=app',
          },
          lastState: { state: 'terminated', reason: 'Error', exitCode: 1 },
          logs: ['starting'],
          previousLogs: ['starting', 'FATAL: missing required environment variable DATABASE_URL'],
        },
      ],
    },
    {
      name: 'shop-bbb222-y2',
      side: 'canary',
      labels: { app: 'shop', role: 'canary' },
      podTemplateHash: 'bbb222',
      phase: 'Pending',
      containers: [
        {
          name: 'app',
          image: 'ghcr.io/acme/shop:1.1.0',
          state: {
            state: 'waiting',
            reason: 'ImagePullBackOff',
            message: 'Back-off pulling image "ghcr.io/acme/shop:1.1.0"',
          },
          logs: [],
        },
      ],
    },
  ],
  events: [
    {
      type: 'Normal',
      reason: 'Scheduled',
      message: 'Successfully assigned adapter-test/shop-bbb222-y1 to worker-1',
      objectKind: 'Pod',
      objectName: 'shop-bbb222-y1',
      count: 1,
    },
    {
      type: 'Warning',
      reason: 'BackOff',
      message: 'Back-off restarting failed container app',
      objectKind: 'Pod',
      objectName: 'shop-bbb222-y1',
      count: 12,
    },
  ],
  expected: { promote: false, hardFailure: 'crash-loop' },
  tags: [],
};

const noRollout: Scenario = {
  ...scenario,
  id: 'no-rollout',
  namespace: 'no-rollout',
  pods: [],
  events: [],
  rollout: undefined,
};

let api: FakeKubeApi;
let reader: ClusterReader;
let kubeConfig: ReturnType<typeof loadKubeConfig>;
let dir: string;
const opts = (): { signal: AbortSignal } => ({ signal: new AbortController().signal });

beforeAll(async () => {
  api = await startFakeKubeApi({ scenarios: [scenario, noRollout] });
  dir = await mkdtemp(join(tmpdir(), 'kube-adapter-'));
  kubeConfig = loadKubeConfig({ kubeconfigPath: await api.writeKubeconfig(dir) });
  reader = createClusterReader(kubeConfig, { timeoutMs: 5_000 });
});

afterAll(async () => {
  await api.close();
  await rm(dir, { recursive: true, force: true });
});

describe('listPods', () => {
  it('maps pods with containers in spec order, states, restarts and owners', async () => {
    const pods = await reader.listPods('adapter-test', 'role=canary', opts());
    expect(pods.map((p) => p.name)).toEqual(['shop-bbb222-y1', 'shop-bbb222-y2']);
    const [crashing, pulling] = pods;
    expect(crashing).toMatchObject({
      namespace: 'adapter-test',
      phase: 'Running',
      ready: false,
      podTemplateHash: 'bbb222',
      ownerReplicaSet: 'shop-bbb222',
      labels: { app: 'shop', role: 'canary', 'rollouts-pod-template-hash': 'bbb222' },
      initContainers: [],
    });
    expect(crashing?.deleting).toBeUndefined();
    expect(crashing?.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(crashing?.containers.map((c) => c.name)).toEqual(['istio-proxy', 'app']);
    expect(crashing?.containers[1]).toMatchObject({
      image: 'ghcr.io/acme/shop:1.1.0',
      ready: false,
      restartCount: 5,
      current: {
        state: 'waiting',
        reason: 'CrashLoopBackOff',
        message: 'back-off 2m40s restarting failed container=app',
      },
      last: { state: 'terminated', reason: 'Error', exitCode: 1 },
    });
    expect(crashing?.containers[0]).toMatchObject({ ready: true, restartCount: 0, current: { state: 'running' } });
    expect(crashing?.containers[0]?.last).toBeUndefined();
    expect(pulling).toMatchObject({
      phase: 'Pending',
      containers: [{ current: { state: 'waiting', reason: 'ImagePullBackOff' } }],
    });
  });

  it('honours set-based selectors and answers [] for a namespace that does not exist', async () => {
    expect((await reader.listPods('adapter-test', 'app=shop,role in (stable)', opts())).map((p) => p.name)).toEqual([
      'shop-aaa111-x1',
    ]);
    expect(await reader.listPods('no-such-namespace', 'role=canary', opts())).toEqual([]);
  });

  it('treats a 404 on the pod list as no pods', async () => {
    const match = { path: /^\/api\/v1\/namespaces\/gone\/pods$/ };
    api.faults.inject({ kind: 'status', match, status: 404 });
    try {
      expect(await reader.listPods('gone', 'role=canary', opts())).toEqual([]);
    } finally {
      api.faults.clear();
    }
  });
});

describe('readLog', () => {
  const base = { namespace: 'adapter-test', tailLines: 500, limitBytes: 1_000_000 };

  it('reads the named container, bounded by tailLines and limitBytes', async () => {
    const log = await reader.readLog(
      { ...base, pod: 'shop-aaa111-x1', container: 'app', previous: false, tailLines: 2 },
      opts(),
    );
    expect(log).toBe('line 3\nline 4\n');
    const limited = await reader.readLog(
      { ...base, pod: 'shop-aaa111-x1', container: 'app', previous: false, limitBytes: 9 },
      opts(),
    );
    expect(limited).toBe('line 1\nli');
    const recent = await reader.readLog(
      { ...base, pod: 'shop-aaa111-x1', container: 'app', previous: false, sinceSeconds: 3600 },
      opts(),
    );
    expect(recent).toBe('line 1\nline 2\nline 3\nline 4\n');
    const request = api.requests.findLast((r) => r.path.endsWith('/log'));
    expect(request?.query).toMatchObject({
      container: 'app',
      sinceSeconds: '3600',
      tailLines: '500',
      limitBytes: '1000000',
    });
  });

  it("reads the previous container's log after a restart", async () => {
    const log = await reader.readLog({ ...base, pod: 'shop-bbb222-y1', container: 'app', previous: true }, opts());
    expect(log).toContain('FATAL: missing required environment variable DATABASE_URL');
  });

  it('answers "" when there is no previous container or the container is waiting to start', async () => {
    expect(await reader.readLog({ ...base, pod: 'shop-aaa111-x1', container: 'app', previous: true }, opts())).toBe('');
    expect(await reader.readLog({ ...base, pod: 'shop-bbb222-y2', container: 'app', previous: false }, opts())).toBe(
      '',
    );
  });

  it('fails with a DependencyError for a pod that does not exist', async () => {
    const error = await reader
      .readLog({ ...base, pod: 'nope', container: 'app', previous: false }, opts())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DependencyError);
    expect(error).toMatchObject({ dependency: 'kubernetes', upstreamStatus: 404 });
  });
});

describe('listEvents', () => {
  it('maps events newest first and asks the server for a bounded list', async () => {
    const events = await reader.listEvents('adapter-test', opts());
    expect(events.map((e) => e.reason)).toEqual(['BackOff', 'Scheduled']);
    expect(events[0]).toMatchObject({
      type: 'Warning',
      objectKind: 'Pod',
      objectName: 'shop-bbb222-y1',
      count: 12,
      message: 'Back-off restarting failed container app',
    });
    expect(events[0]?.lastSeen).toMatch(/^\d{4}-/);
    expect(api.requests.findLast((r) => r.path.endsWith('/events'))?.query.limit).toBe('500');
  });

  it('keeps at most maxEvents', async () => {
    const small = createClusterReader(loadKubeConfig({ kubeconfigPath: join(dir, 'kubeconfig.yaml') }), {
      timeoutMs: 5_000,
      maxEvents: 1,
    });
    expect(await small.listEvents('adapter-test', opts())).toHaveLength(1);
  });
});

describe('getRollout', () => {
  it('maps the Rollout object', async () => {
    const rollout = await reader.getRollout('adapter-test', 'shop', opts());
    expect(rollout).toEqual({
      name: 'shop',
      namespace: 'adapter-test',
      revision: '7',
      phase: 'Paused',
      message: 'CanaryPauseStep',
      currentPodHash: 'bbb222',
      stablePodHash: 'aaa111',
      canaryService: 'shop-canary',
      stableService: 'shop-stable',
      canaryWeight: 20,
      currentStepIndex: 1,
      images: ['ghcr.io/acme/shop:1.1.0'],
    });
  });

  it('answers undefined when the Rollout or its CRD does not exist', async () => {
    expect(await reader.getRollout('no-rollout', 'shop', opts())).toBeUndefined();
    const match = { path: /^\/apis\/argoproj\.io\// };
    api.faults.inject({
      kind: 'status',
      match,
      status: 404,
      body: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'the server could not find the requested resource',
        reason: 'NotFound',
        details: {},
        code: 404,
      },
    });
    try {
      expect(await reader.getRollout('adapter-test', 'shop', opts())).toBeUndefined();
    } finally {
      api.faults.clear();
    }
  });
});

describe('namespaceExists', () => {
  it('is true for a namespace the server has, false for one it answers 404 for', async () => {
    expect(await reader.namespaceExists('adapter-test', opts())).toBe(true);
    expect(await reader.namespaceExists('no-such-namespace', opts())).toBe(false);
  });

  it('is undefined when the service account may not read namespaces (403), and a 500 is a dependency failure', async () => {
    const match = { path: /^\/api\/v1\/namespaces\/adapter-test$/ };
    api.faults.inject({ kind: 'status', match, status: 403 });
    try {
      expect(await reader.namespaceExists('adapter-test', opts())).toBeUndefined();
      api.faults.inject({ kind: 'status', match, status: 500 });
      await expect(reader.namespaceExists('adapter-test', opts())).rejects.toMatchObject({
        dependency: 'kubernetes',
        upstreamStatus: 500,
      });
    } finally {
      api.faults.clear();
    }
  });
});

describe('failures', () => {
  it('maps 403 to a forbidden DependencyError that points at RBAC', async () => {
    const match = { path: /\/namespaces\/adapter-test\/pods$/ };
    api.faults.inject({ kind: 'status', match, status: 403 });
    try {
      const error = await reader.listPods('adapter-test', 'role=canary', opts()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DependencyError);
      expect(error).toMatchObject({ dependency: 'kubernetes', upstreamStatus: 403 });
      expect((error as Error).message).toMatch(/forbidden: .*check the RBAC of the service account/);
      expect((error as Error).message).toContain('cannot list resource "pods"');
    } finally {
      api.faults.clear();
    }
  });

  it('maps 401 the same way', async () => {
    const match = { path: /\/events$/ };
    api.faults.inject({ kind: 'status', match, status: 401 });
    try {
      await expect(reader.listEvents('adapter-test', opts())).rejects.toMatchObject({
        dependency: 'kubernetes',
        upstreamStatus: 401,
        message: expect.stringMatching(/forbidden/) as unknown,
      });
    } finally {
      api.faults.clear();
    }
  });

  it('maps 500 to a DependencyError with the upstream status', async () => {
    const match = { path: /\/rollouts\/shop$/ };
    api.faults.inject({ kind: 'status', match, status: 500 });
    try {
      const error = await reader.getRollout('adapter-test', 'shop', opts()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DependencyError);
      expect(error).toMatchObject({ upstreamStatus: 500, code: 'dependency_unavailable' });
    } finally {
      api.faults.clear();
    }
  });

  it.each([
    ['a 200 with an HTML page', 'html'],
    ['half-sent JSON', 'half-json'],
    ['a connection reset mid-answer', 'reset'],
    ['410 Gone', 'gone'],
  ] as const)('maps %s on a list to a DependencyError, never a TypeError', async (_name, kind) => {
    for (const [path, read] of [
      [/\/events$/, () => reader.listEvents('adapter-test', opts())],
      [/\/pods$/, () => reader.listPods('adapter-test', 'role=canary', opts())],
    ] as const) {
      api.faults.inject({ kind, match: { path } });
      try {
        const error = await read().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(DependencyError);
        expect(error).toMatchObject({ dependency: 'kubernetes' });
      } finally {
        api.faults.clear();
      }
    }
  });

  it('maps a refused connection to a DependencyError', async () => {
    const closed = await startFakeKubeApi({});
    const kubeConfig = loadKubeConfig({
      kubeconfigPath: await closed.writeKubeconfig(await mkdtemp(join(dir, 'closed-'))),
    });
    await closed.close();
    const error = await createClusterReader(kubeConfig, { timeoutMs: 5_000 })
      .listPods('x', 'role=canary', opts())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DependencyError);
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
    expect((error as DependencyError).upstreamStatus).toBeUndefined();
  });
});

describe('a throttled API server (API Priority and Fairness)', () => {
  const pods = { path: /^\/api\/v1\/namespaces\/adapter-test\/pods$/ };
  const podReads = () => api.requests.filter((r) => pods.path.test(r.path)).length;
  const throttled = async (
    spec: { status: number; headers?: Record<string, string>; times?: number },
    read: ClusterReader = reader,
  ): Promise<{ outcome: unknown; reads: number }> => {
    const before = podReads();
    api.faults.inject({ kind: 'status', match: pods, ...spec });
    try {
      const outcome = await read.listPods('adapter-test', 'role=canary', opts()).catch((e: unknown) => e);
      return { outcome, reads: podReads() - before };
    } finally {
      api.faults.clear();
    }
  };

  it('sends a call the server turned away with 429 again after the Retry-After it named', async () => {
    let refusedAt = 0;
    const before = podReads();
    api.faults.inject({
      kind: 'status',
      match: pods,
      status: 429,
      times: 1,
      headers: () => {
        refusedAt = performance.now();
        return { 'retry-after': '1' };
      },
    });
    try {
      const seen = new Set(api.requests);
      const retried = api
        .waitForRequest((r) => pods.path.test(r.path) && !seen.has(r) && refusedAt > 0)
        .then(() => performance.now());
      const listed = await reader.listPods('adapter-test', 'role=canary', opts());
      expect(listed).toHaveLength(2);
      expect(podReads() - before).toBe(2);
      // Not before the wait the server named (a lower bound: a loaded machine only makes it later).
      expect((await retried) - refusedAt).toBeGreaterThanOrEqual(990);
    } finally {
      api.faults.clear();
    }
  });

  it('waits 1 s for a 429 that names no wait, and gives up after its retries with the throttling named', async () => {
    const once = createClusterReader(kubeConfig, { timeoutMs: 10_000, throttleRetries: 1 });
    const { outcome, reads } = await throttled({ status: 429 }, once);
    expect(reads).toBe(2);
    expect(outcome).toBeInstanceOf(DependencyError);
    expect(outcome).toMatchObject({ dependency: 'kubernetes', upstreamStatus: 429 });
    expect((outcome as Error).message).toContain('list pods in adapter-test was rate limited (HTTP 429)');
  });

  it('retries a 5xx only when the server says when to come back, and never another status', async () => {
    const retried = await throttled({ status: 500, headers: { 'retry-after': '1' }, times: 1 });
    expect(retried.reads).toBe(2);
    expect(retried.outcome).toHaveLength(2);
    const failed = await throttled({ status: 503, times: 1 });
    expect(failed.reads).toBe(1);
    expect(failed.outcome).toMatchObject({ upstreamStatus: 503 });
    const forbidden = await throttled({ status: 403, headers: { 'retry-after': '1' }, times: 1 });
    expect(forbidden.reads).toBe(1);
    expect(forbidden.outcome).toMatchObject({ upstreamStatus: 403 });
  });

  it('reports the throttling at once when no retry is left, without waiting out the Retry-After', async () => {
    const none = createClusterReader(kubeConfig, { timeoutMs: 60_000, throttleRetries: 0 });
    const { outcome, reads } = await throttled({ status: 429, headers: { 'retry-after': '30' } }, none);
    expect(reads).toBe(1);
    expect(outcome).toMatchObject({ upstreamStatus: 429, upstreamRetryAfterSeconds: 30 });
  });

  it('does not wait out a Retry-After longer than the call may take: it fails at once and passes the wait on', async () => {
    const short = createClusterReader(kubeConfig, { timeoutMs: 5_000 });
    const { outcome, reads } = await throttled({ status: 429, headers: { 'retry-after': '30' } }, short);
    expect(reads).toBe(1);
    expect(outcome).toMatchObject({ upstreamStatus: 429, retryAfterSeconds: 30, upstreamRetryAfterSeconds: 30 });
    expect((outcome as Error).message).toMatch(/rate limited \(HTTP 429\).*; retry after 30 s$/);
  });

  it("stops waiting when the caller's signal aborts", async () => {
    api.faults.inject({ kind: 'status', match: pods, status: 429, headers: { 'retry-after': '30' } });
    try {
      const patient = createClusterReader(kubeConfig, { timeoutMs: 60_000 });
      const controller = new AbortController();
      const before = api.requests.length;
      const outcome = patient
        .listPods('adapter-test', 'role=canary', { signal: controller.signal })
        .catch((e: unknown) => e);
      const seen = new Set(api.requests.slice(0, before));
      await api.waitForRequest((r) => pods.path.test(r.path) && !seen.has(r));
      controller.abort();
      expect(await outcome).toBeInstanceOf(CancelledError);
    } finally {
      api.faults.clear();
    }
  });
});

describe('abort and timeout', () => {
  const hang = { path: /^\/api\/v1\/namespaces\/hanging\// };
  beforeAll(() => api.faults.inject({ kind: 'hang', match: hang }));
  afterAll(() => api.faults.clear());

  /** Resolves once the fake has received a request for `path`, so the test aborts a call that is really in flight. */
  async function received(path: string, before: number): Promise<void> {
    const seen = new Set(api.requests.slice(0, before));
    await api.waitForRequest((r) => r.path === path && !seen.has(r));
  }

  it("rejects promptly with CancelledError when the caller's signal aborts", async () => {
    const controller = new AbortController();
    const before = api.requests.length;
    const pending = reader.listPods('hanging', 'role=canary', { signal: controller.signal });
    const outcome = pending.catch((e: unknown) => e);
    await received('/api/v1/namespaces/hanging/pods', before);
    controller.abort();
    expect(await outcome).toBeInstanceOf(CancelledError);
  });

  it("keeps the caller's typed abort reason", async () => {
    const controller = new AbortController();
    const before = api.requests.length;
    const outcome = reader
      .readLog(
        { namespace: 'hanging', pod: 'p', container: 'app', previous: false, tailLines: 10, limitBytes: 1000 },
        { signal: controller.signal },
      )
      .catch((e: unknown) => e);
    await received('/api/v1/namespaces/hanging/pods/p/log', before);
    controller.abort(new DeadlineError());
    expect(await outcome).toBeInstanceOf(DeadlineError);
  });

  it('closes the request on the server when the call is aborted, so a hung answer holds nothing', async () => {
    const controller = new AbortController();
    const before = api.requests.length;
    const outcome = reader.listPods('hanging', 'role=canary', { signal: controller.signal }).catch((e: unknown) => e);
    await received('/api/v1/namespaces/hanging/pods', before);
    expect(api.openRequests).toBeGreaterThan(0);
    controller.abort();
    expect(await outcome).toBeInstanceOf(CancelledError);
    await expect.poll(() => api.openRequests).toBe(0);
  });

  it('rejects an already-aborted call without sending it', async () => {
    const before = api.requests.length;
    await expect(reader.listEvents('hanging', { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(CancelledError);
    expect(api.requests.length).toBe(before);
  });

  it("rejects with a DependencyError when the adapter's own timeout passes", async () => {
    const quick = createClusterReader(loadKubeConfig({ kubeconfigPath: join(dir, 'kubeconfig.yaml') }), {
      timeoutMs: 50,
    });
    const eventsError = await quick.listEvents('hanging', opts()).catch((e: unknown) => e);
    expect(eventsError).toBeInstanceOf(DependencyError);
    expect((eventsError as Error).message).toMatch(/no answer within 50 ms/);
  });

  it("keeps a deadline's reason when the caller's deadline aborts a TokenReview in flight", async () => {
    const reviews = { method: 'POST', path: /^\/apis\/authentication\.k8s\.io\/v1\/tokenreviews$/ };
    api.faults.inject({ kind: 'hang', match: reviews });
    try {
      const reviewer = createTokenReviewer(loadKubeConfig({ kubeconfigPath: join(dir, 'kubeconfig.yaml') }), {
        timeoutMs: 30_000,
      });
      const controller = new AbortController();
      const before = api.requests.length;
      const outcome = reviewer.review('some-token', { signal: controller.signal }).catch((e: unknown) => e);
      await received('/apis/authentication.k8s.io/v1/tokenreviews', before);
      const deadline = new DeadlineError();
      controller.abort(deadline);
      expect(await outcome).toBe(deadline);
    } finally {
      api.faults.clear();
    }
  });
});

describe('loadKubeConfig', () => {
  it('selects a named context and rejects an unknown one', () => {
    const path = join(dir, 'kubeconfig.yaml');
    expect(loadKubeConfig({ kubeconfigPath: path, context: 'fake' }).getCurrentContext()).toBe('fake');
    expect(() => loadKubeConfig({ kubeconfigPath: path, context: 'nope' })).toThrow(/no context named "nope"/);
  });
});

describe('connections', () => {
  it('reuses connections to the API server instead of opening one per call', async () => {
    const before = api.connectionsAccepted;
    for (let i = 0; i < 20; i++) await reader.listPods('adapter-test', 'role=canary', opts());
    await Promise.all(Array.from({ length: 10 }, () => reader.listEvents('adapter-test', opts())));
    expect(api.connectionsAccepted - before).toBeLessThanOrEqual(10);
    const settled = api.connectionsAccepted;
    for (let i = 0; i < 20; i++) await reader.listPods('adapter-test', 'role=canary', opts());
    expect(api.connectionsAccepted).toBe(settled);
  });
});
