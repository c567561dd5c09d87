import { describe, expect, it } from 'vitest';
import type { ContainerInfo, Finding, KubeEvent, PodInfo } from '@aiops/contracts';
import {
  accessLogEvidence,
  appContainers,
  eventFindings,
  hasPreviousInstance,
  isSidecar,
  meshProxyContainers,
  podHealthComparisons,
  podHealthFindings,
  rankFindings,
  type LogEvent,
} from '@aiops/evidence';

// Which pod and container states are hard failures of the canary (the policy rejects on those whatever the model
// says), which are soft, and which say nothing: pinned rule by rule through the public functions.
const container = (over: Partial<ContainerInfo> = {}): ContainerInfo => ({
  name: 'app',
  image: 'app:2',
  ready: true,
  restartCount: 0,
  current: { state: 'running' },
  ...over,
});
const pod = (name: string, containers: ContainerInfo[], over: Partial<PodInfo> = {}): PodInfo => ({
  name,
  namespace: 'ns',
  labels: {},
  phase: 'Running',
  ready: true,
  containers,
  initContainers: [],
  ...over,
});
const healthy = pod('s', [container()]);
const summary = (findings: Finding[]) => findings.map((f) => [f.id, f.kind, f.hard, f.severity]);

describe('podHealthFindings: container states', () => {
  it.each(['CreateContainerConfigError', 'CreateContainerError', 'RunContainerError', 'PostStartHookError'])(
    'a canary container waiting in %s cannot start: hard config-error, with its message',
    (reason) => {
      const c = container({ ready: false, current: { state: 'waiting', reason, message: 'secret "db" not found' } });
      const findings = podHealthFindings({
        canary: [pod('c', [c], { phase: 'Pending', ready: false })],
        stable: [healthy],
      });
      expect(summary(findings)).toEqual([['pod:c:app:config-error', 'config-error', true, 'critical']]);
      expect(findings[0]?.detail).toBe('secret "db" not found');
    },
  );

  it('the same states on stable are reported, never hard', () => {
    const crash = container({ restartCount: 4, current: { state: 'waiting', reason: 'CrashLoopBackOff' } });
    const pull = container({ name: 'b', current: { state: 'waiting', reason: 'ErrImagePull' } });
    const oom = container({ name: 'o', current: { state: 'running', reason: 'OOMKilled' } });
    expect(
      summary(podHealthFindings({ canary: [pod('c', [container()])], stable: [pod('s', [crash, pull, oom])] })),
    ).toEqual([
      ['pod:s:app:crash-loop', 'crash-loop', false, 'error'],
      ['pod:s:b:image-pull', 'image-pull', false, 'error'],
      ['pod:s:o:oom-killed', 'oom-killed', false, 'error'],
    ]);
  });

  it('a waiting state that is no failure (ContainerCreating) gives no finding', () => {
    const c = container({ ready: false, current: { state: 'waiting', reason: 'ContainerCreating' } });
    expect(
      podHealthFindings({ canary: [pod('c', [c], { phase: 'Pending', ready: false })], stable: [healthy] }),
    ).toEqual([]);
  });

  it('an OOMKilled current state counts, and its exit code (else 137) is in the title', () => {
    const oom = container({ current: { state: 'terminated', reason: 'OOMKilled', exitCode: 137 } });
    const findings = podHealthFindings({ canary: [pod('c', [oom])], stable: [healthy] });
    // One finding: an app container that exited is not also a failed init container.
    expect(summary(findings)).toEqual([['pod:c:app:oom-killed', 'oom-killed', true, 'critical']]);
    expect(findings[0]?.title).toBe('container app of canary pod c was OOMKilled (0 restarts, exit code 137)');
  });

  it("carries the kubelet's message of a crash loop and of an image pull failure", () => {
    const crash = container({
      restartCount: 4,
      current: { state: 'waiting', reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container' },
    });
    const pull = container({
      name: 'b',
      current: { state: 'waiting', reason: 'ImagePullBackOff', message: 'Back-off pulling image "app:9"' },
    });
    const findings = podHealthFindings({ canary: [pod('c', [crash, pull])], stable: [healthy] });
    expect(findings.map((f) => [f.kind, f.detail])).toEqual([
      ['crash-loop', 'back-off 40s restarting failed container'],
      ['image-pull', 'Back-off pulling image "app:9"'],
    ]);
  });

  it('describes a termination by what the kubelet recorded: reason, exit code, either one, or nothing', () => {
    const titleOf = (last: ContainerInfo['last']) =>
      podHealthFindings({
        canary: [pod('c', [container({ restartCount: 1, ...(last ? { last } : {}) })])],
        stable: [healthy],
      })[0]?.title;
    expect(titleOf({ state: 'terminated', reason: 'Error', exitCode: 1 })).toBe(
      'container app of canary pod c restarted 1 times (last termination: Error, exit code 1)',
    );
    expect(titleOf({ state: 'terminated', exitCode: 1 })).toBe(
      'container app of canary pod c restarted 1 times (last termination: exit code 1)',
    );
    expect(titleOf({ state: 'terminated', reason: 'Error' })).toBe(
      'container app of canary pod c restarted 1 times (last termination: Error)',
    );
    expect(titleOf({ state: 'terminated' })).toBe('container app of canary pod c restarted 1 times');
    expect(titleOf(undefined)).toBe('container app of canary pod c restarted 1 times');
  });

  it('a failed init container of the canary is hard; one that exited 0 or is still running is nothing', () => {
    const failed = container({ name: 'migrate', current: { state: 'terminated', reason: 'Error', exitCode: 3 } });
    const done = container({ name: 'migrate', current: { state: 'terminated', reason: 'Completed', exitCode: 0 } });
    const running = container({ name: 'migrate', current: { state: 'running' } });
    const withInit = (c: ContainerInfo) => pod('c', [container()], { initContainers: [c], phase: 'Pending' });
    expect(summary(podHealthFindings({ canary: [withInit(failed)], stable: [healthy] }))).toEqual([
      ['pod:c:migrate:terminated', 'terminated', true, 'critical'],
    ]);
    expect(podHealthFindings({ canary: [withInit(failed)], stable: [healthy] })[0]?.title).toContain('exit code 3');
    expect(podHealthFindings({ canary: [withInit(done)], stable: [healthy] })).toEqual([]);
    expect(podHealthFindings({ canary: [withInit(running)], stable: [healthy] })).toEqual([]);
    expect(podHealthFindings({ canary: [withInit(failed)], stable: [healthy] })[0]?.title).toBe(
      'init container migrate of canary pod c failed (last termination: Error, exit code 3)',
    );
    // On stable the same failure is reported, not hard.
    expect(summary(podHealthFindings({ canary: [pod('c', [container()])], stable: [withInit(failed)] }))).toEqual([
      ['pod:c:migrate:terminated', 'terminated', false, 'error'],
    ]);
  });

  it('an app container that exited non-zero and is not restarted yet is a crash: hard on the canary, reported on stable', () => {
    // As the kubelet reports a first crash before the restart: terminated now, no restart counted yet.
    const exited = container({
      ready: false,
      current: { state: 'terminated', reason: 'Error', exitCode: 1 },
    });
    expect(summary(podHealthFindings({ canary: [pod('c', [exited])], stable: [healthy] }))).toEqual([
      ['pod:c:app:terminated', 'terminated', true, 'critical'],
    ]);
    expect(podHealthFindings({ canary: [pod('c', [exited])], stable: [healthy] })[0]?.title).toBe(
      'container app of canary pod c exited (Error, exit code 1), not restarted yet',
    );
    expect(summary(podHealthFindings({ canary: [pod('c', [container()])], stable: [pod('s', [exited])] }))).toEqual([
      ['pod:s:app:terminated', 'terminated', false, 'error'],
    ]);
    const noReason = container({ current: { state: 'terminated', exitCode: 2 } });
    expect(podHealthFindings({ canary: [pod('c', [noReason])], stable: [healthy] })[0]?.title).toBe(
      'container app of canary pod c exited (exit code 2), not restarted yet',
    );
    // A clean exit is no crash; a crash already told as restarts or as an OOM kill is not told twice.
    const completed = container({ current: { state: 'terminated', reason: 'Completed', exitCode: 0 } });
    expect(podHealthFindings({ canary: [pod('c', [completed])], stable: [healthy] })).toEqual([]);
    const again = container({
      restartCount: 1,
      current: { state: 'terminated', reason: 'Error', exitCode: 1 },
      last: { state: 'terminated', reason: 'Error', exitCode: 1 },
    });
    expect(summary(podHealthFindings({ canary: [pod('c', [again])], stable: [healthy] }))).toEqual([
      ['pod:c:app:restarts', 'restarts', true, 'critical'],
    ]);
    const oom = container({ current: { state: 'terminated', reason: 'OOMKilled', exitCode: 137 } });
    expect(summary(podHealthFindings({ canary: [pod('c', [oom])], stable: [healthy] }))).toEqual([
      ['pod:c:app:oom-killed', 'oom-killed', true, 'critical'],
    ]);
  });

  it('skips pods being deleted', () => {
    const crash = container({ restartCount: 4, current: { state: 'waiting', reason: 'CrashLoopBackOff' } });
    expect(
      podHealthFindings({
        canary: [pod('c', [crash], { deleting: true }), pod('d', [container()])],
        stable: [healthy],
      }),
    ).toEqual([]);
  });
});

describe('podHealthFindings: restarts against stable', () => {
  const restarted = (restartCount: number, exitCode?: number) =>
    container({
      restartCount,
      ...(exitCode !== undefined ? { last: { state: 'terminated' as const, reason: 'Error', exitCode } } : {}),
    });

  it('three restarts stable does not share are hard, whatever the exit code; two clean ones are soft', () => {
    expect(summary(podHealthFindings({ canary: [pod('c', [restarted(3)])], stable: [healthy] }))).toEqual([
      ['pod:c:app:restarts', 'restarts', true, 'critical'],
    ]);
    expect(summary(podHealthFindings({ canary: [pod('c', [restarted(2, 0)])], stable: [healthy] }))).toEqual([
      ['pod:c:app:restarts', 'restarts', false, 'error'],
    ]);
  });

  it("sets the bar at stable's mean restarts per app container, sidecars left out", () => {
    const sidecar = container({ name: 'istio-proxy', restartCount: 50 });
    // Stable: 2 and 4 restarts -> bar 3. The canary's 3 is not above it, 4 is.
    const stable = [pod('s1', [restarted(2), sidecar]), pod('s2', [restarted(4)])];
    expect(podHealthFindings({ canary: [pod('c', [restarted(3)])], stable })).toEqual([]);
    expect(summary(podHealthFindings({ canary: [pod('c', [restarted(4)])], stable }))).toEqual([
      ['pod:c:app:restarts', 'restarts', true, 'critical'],
    ]);
    // An init container that restarted is held to the same bar.
    const initRestarted = (restartCount: number) =>
      pod('c', [container()], {
        initContainers: [
          container({
            name: 'migrate',
            restartCount,
            last: { state: 'terminated', reason: 'Error', exitCode: 1 },
          }),
        ],
      });
    expect(podHealthFindings({ canary: [initRestarted(3)], stable })).toEqual([]);
    expect(summary(podHealthFindings({ canary: [initRestarted(4)], stable }))).toEqual([
      ['pod:c:migrate:restarts', 'restarts', true, 'critical'],
    ]);
    // Without stable pods the bar is 0.
    expect(podHealthFindings({ canary: [pod('c', [restarted(1, 0)])], stable: [] }).map((f) => f.kind)).toEqual([
      'restarts',
    ]);
  });

  it('restarts of stable containers are never compared, and a crash loop is not also counted as restarts', () => {
    expect(podHealthFindings({ canary: [pod('c', [container()])], stable: [pod('s', [restarted(9, 1)])] })).toEqual([]);
    const looping = container({
      restartCount: 6,
      current: { state: 'waiting', reason: 'CrashLoopBackOff' },
      last: { state: 'terminated', reason: 'Error', exitCode: 1 },
    });
    expect(podHealthFindings({ canary: [pod('c', [looping])], stable: [healthy] }).map((f) => f.kind)).toEqual([
      'crash-loop',
    ]);
  });
});

describe('podHealthFindings: readiness', () => {
  it('a running canary pod that is not ready is a soft warning, unless a problem of that pod explains it', () => {
    expect(
      summary(podHealthFindings({ canary: [pod('c', [container()], { ready: false })], stable: [healthy] })),
    ).toEqual([['pod:c:not-ready', 'not-ready', false, 'warning']]);
    const crash = container({ restartCount: 4, current: { state: 'waiting', reason: 'CrashLoopBackOff' } });
    expect(
      podHealthFindings({
        canary: [pod('c', [crash], { ready: false }), pod('c2', [container()], { ready: false })],
        stable: [healthy],
      }).map((f) => f.id),
    ).toEqual(['pod:c:app:crash-loop', 'pod:c2:not-ready']);
  });

  it('a pending canary pod, or a stable pod that is not ready, is not a readiness finding', () => {
    expect(
      podHealthFindings({ canary: [pod('c', [container()], { ready: false, phase: 'Pending' })], stable: [healthy] }),
    ).toEqual([]);
    expect(
      podHealthFindings({ canary: [pod('c', [container()])], stable: [pod('s', [container()], { ready: false })] }),
    ).toEqual([]);
  });
});

describe('podHealthFindings: no canary pod', () => {
  it('is an informational finding, never a hard failure: the policy answers it as absent evidence', () => {
    expect(summary(podHealthFindings({ canary: [], stable: [healthy] }))).toEqual([
      ['pods:canary:none', 'no-canary-pods', false, 'info'],
    ]);
  });
});

describe('podHealthComparisons', () => {
  it('compares readiness (a drop is Low) and restarts per pod (a rise is High), app containers only', () => {
    const sidecar = container({ name: 'istio-proxy', restartCount: 30 });
    const [ready, restarts] = podHealthComparisons({
      canary: [pod('c1', [container({ restartCount: 2 })], { ready: false }), pod('c2', [container()])],
      stable: [pod('s1', [container(), sidecar]), pod('s2', [container()])],
    });
    expect(ready).toMatchObject({
      id: 'k8s:pod_ready_ratio',
      classification: 'Low',
      direction: 'decrease',
      canary: { count: 2, mean: 0.5 },
      stable: { count: 2, mean: 1 },
    });
    expect(restarts).toMatchObject({
      id: 'k8s:container_restarts_per_pod',
      classification: 'High',
      direction: 'increase',
      canary: { count: 2, mean: 1 },
      stable: { count: 2, mean: 0 },
    });
  });

  it('passes equal or better numbers, and has no data for an empty side', () => {
    const better = podHealthComparisons({
      canary: [pod('c', [container()])],
      stable: [pod('s', [container({ restartCount: 3 })], { ready: false })],
    });
    expect(better.map((c) => c.classification)).toEqual(['Pass', 'Pass']);
    expect(podHealthComparisons({ canary: [healthy], stable: [healthy] }).map((c) => c.classification)).toEqual([
      'Pass',
      'Pass',
    ]);
    // Informative beside the metrics: never critical, so they do not count among the critical metrics' failures.
    expect(better.map((c) => c.critical)).toEqual([false, false]);
    expect(podHealthComparisons({ canary: [], stable: [healthy] }).map((c) => c.classification)).toEqual([
      'NoData',
      'NoData',
    ]);
    expect(podHealthComparisons({ canary: [healthy], stable: [] }).map((c) => c.classification)).toEqual([
      'NoData',
      'NoData',
    ]);
  });
});

describe('eventFindings', () => {
  const ev = (over: Partial<KubeEvent>): KubeEvent => ({
    type: 'Warning',
    reason: 'BackOff',
    message: 'Back-off restarting failed container',
    objectKind: 'Pod',
    objectName: 'c',
    count: 2,
    ...over,
  });
  const pods = { canary: ['c', 'c2'], stable: ['s'] };

  it.each([
    'Failed to pull image "x": rpc error',
    'pull access denied for acme/app',
    'manifest unknown: manifest unknown',
    'failed to resolve reference: not found: manifest',
    'Error: ErrImagePull',
    'Error: ImagePullBackOff',
  ])('an image that cannot be pulled is hard: %s', (message) => {
    expect(summary(eventFindings([ev({ reason: 'Failed', message })], pods))).toEqual([
      ['event:c:Failed', 'image-pull', true, 'critical'],
    ]);
  });

  it('other canary warnings are soft, once per pod and reason; normal events, other objects and stable pods are not', () => {
    const findings = eventFindings(
      [
        ev({}),
        ev({ count: 5 }),
        ev({ objectName: 'c2' }),
        ev({ type: 'Normal', reason: 'Pulled' }),
        ev({ objectKind: 'ReplicaSet', reason: 'FailedCreate' }),
        ev({ objectName: 'other', reason: 'Evicted' }),
        ev({ objectName: 's', reason: 'Unhealthy' }),
      ],
      pods,
    );
    expect(summary(findings)).toEqual([
      ['event:c:BackOff', 'warning-event', false, 'warning'],
      ['event:c2:BackOff', 'warning-event', false, 'warning'],
    ]);
    expect(findings[0]?.detail).toBe('Back-off restarting failed container');
  });

  it('a reason stable has as a warning too is shared noise; a normal stable event does not hide one', () => {
    expect(eventFindings([ev({}), ev({ objectName: 's' })], pods)).toEqual([]);
    expect(eventFindings([ev({}), ev({ objectName: 's', type: 'Normal' })], pods)).toHaveLength(1);
  });
});

describe('rankFindings', () => {
  const f = (kind: Finding['kind'], hard: boolean, severity: Finding['severity']): Finding => ({
    id: `pod:p:${kind}:${severity}` as Finding['id'],
    kind,
    side: 'canary',
    severity,
    hard,
    title: kind,
  });
  it('hard first, then causes before symptoms, then severity; the input is left as it was', () => {
    const input = [
      f('not-ready', false, 'warning'),
      f('restarts', true, 'critical'),
      f('warning-event', false, 'error'),
      f('warning-event', false, 'critical'),
      f('crash-loop', true, 'critical'),
      f('panic', false, 'critical'),
    ];
    const copy = [...input];
    expect(rankFindings(input).map((x) => `${x.kind}/${x.severity}`)).toEqual([
      'crash-loop/critical',
      'restarts/critical',
      'panic/critical',
      'warning-event/critical',
      'warning-event/error',
      'not-ready/warning',
    ]);
    expect(input).toEqual(copy);
  });
});

describe('containers', () => {
  it('knows mesh proxies (read for access logs) from other sidecars, and keeps every container when all are sidecars', () => {
    const p = pod('p', [
      container({ name: 'istio-proxy' }),
      container({ name: 'vault-agent' }),
      container({ name: 'envoy' }),
    ]);
    expect(meshProxyContainers(p).map((c) => c.name)).toEqual(['istio-proxy', 'envoy']);
    expect(appContainers(p).map((c) => c.name)).toEqual(['istio-proxy', 'vault-agent', 'envoy']);
    expect(isSidecar('linkerd-proxy')).toBe(true);
    expect(isSidecar('app')).toBe(false);
  });
  it("reads a previous instance's log after a restart or a termination only", () => {
    expect(hasPreviousInstance(container())).toBe(false);
    expect(hasPreviousInstance(container({ restartCount: 1 }))).toBe(true);
    expect(hasPreviousInstance(container({ last: { state: 'terminated', reason: 'Completed', exitCode: 0 } }))).toBe(
      true,
    );
  });
});

describe('accessLogEvidence: when it compares', () => {
  const access = (n: number, errors: number, latency?: number): LogEvent[] =>
    Array.from({ length: n }, (_, i) => ({
      message: 'GET /api',
      frames: [],
      raw: 'GET /api',
      kind: 'info',
      http: { status: i < errors ? 503 : 200, ...(latency !== undefined ? { latencyMs: latency + (i % 7) } : {}) },
    }));

  it('compares latency only with 20 timed requests a side', () => {
    const ids = (canary: LogEvent[], stable: LogEvent[]) =>
      accessLogEvidence({ canary, stable }).comparisons.map((c) => c.id);
    expect(ids(access(20, 0, 100), access(20, 0, 100))).toEqual(['logs:http_5xx_ratio', 'logs:http_latency_ms']);
    expect(ids(access(19, 0, 100), access(40, 0, 100))).toEqual(['logs:http_5xx_ratio']);
    expect(ids(access(40, 0, 100), access(19, 0, 100))).toEqual(['logs:http_5xx_ratio']);
    expect(ids(access(40, 0), access(40, 0))).toEqual(['logs:http_5xx_ratio']);
  });

  it('gives the 5xx comparison no p-value when there were too few requests, and the request counts and rates', () => {
    const few = accessLogEvidence({ canary: access(10, 5), stable: access(10, 0) }).comparisons[0];
    expect(few).toMatchObject({ classification: 'NoData', canary: { count: 10, mean: 0.5 }, stable: { count: 10 } });
    expect(few).not.toHaveProperty('pValue');
    const many = accessLogEvidence({ canary: access(100, 5), stable: access(100, 5) }).comparisons[0];
    expect(many?.pValue).toBeCloseTo(0.5, 9);
    expect(many).toMatchObject({ critical: true, direction: 'increase', source: 'logs' });
  });

  it('compares nothing while either side has served no request', () => {
    expect(accessLogEvidence({ canary: access(50, 10, 100), stable: [] })).toEqual({ comparisons: [], findings: [] });
    expect(accessLogEvidence({ canary: [], stable: access(50, 10, 100) })).toEqual({ comparisons: [], findings: [] });
  });

  it('makes latency an informative comparison: slower, it is High but not critical, and no hard finding', () => {
    const { comparisons, findings } = accessLogEvidence({ canary: access(40, 0, 400), stable: access(40, 0, 100) });
    expect(comparisons[1]).toMatchObject({ id: 'logs:http_latency_ms', classification: 'High', critical: false });
    expect(comparisons[1]?.pValue).toBeLessThan(0.001);
    expect(findings.filter((f) => f.hard)).toEqual([]);
    // Informative, so the finding never calls it a critical metric.
    expect(findings.map((f) => f.title)).toEqual([expect.stringContaining('answers slower than stable')]);
    expect(findings[0]?.title).not.toContain('critical');
    const same = accessLogEvidence({ canary: access(40, 0, 100), stable: access(40, 0, 100) });
    expect(same.comparisons[1]).toMatchObject({ classification: 'Pass', pValue: 1 });
    expect(same.findings).toEqual([]);
  });

  it('leaves out an infinite latency ratio (stable at 0 ms)', () => {
    const latency = accessLogEvidence({
      canary: access(30, 0, 50),
      stable: access(30, 0, 0).map((e) => ({
        ...e,
        http: { status: 200, latencyMs: 0 },
      })),
    }).comparisons[1];
    expect(latency?.classification).toBe('High');
    expect(latency).not.toHaveProperty('effectSize');
    const finite = accessLogEvidence({ canary: access(30, 0, 200), stable: access(30, 0, 100) }).comparisons[1];
    expect(finite?.effectSize).toBeGreaterThan(1.5);
  });

  it('says which envoy response flags the canary 5xx carried, and that the mesh proxy was read', () => {
    const flagged = (n: number, errors: number, flags: string): LogEvent[] =>
      access(n, errors).map((e, i) => (i < errors ? { ...e, http: { status: 503, flags } } : e));
    const { findings } = accessLogEvidence(
      { canary: flagged(200, 40, 'UF,URX'), stable: access(200, 0) },
      { proxied: true },
    );
    expect(findings.map((f) => [f.id, f.hard, f.severity])).toEqual([['logs:http_5xx_ratio', true, 'critical']]);
    expect(findings[0]?.title).toContain('(mesh proxy included)');
    expect(findings[0]?.title).toContain('UF,URX ×40 (upstream connection failure, upstream retry limit exceeded)');
  });

  it('lists the flags most frequent first, and explains only the flags it knows', () => {
    const flaggedAs = (counts: Array<[string, number]>): LogEvent[] =>
      counts.flatMap(([flags, n]) => access(n, n).map((e) => ({ ...e, http: { status: 503, flags } })));
    // DF (DNS resolution failed) is newer than the flags this table explains.
    const canary = [
      ...flaggedAs([
        ['UH', 3],
        ['UF', 60],
        ['UF,DF', 7],
      ]),
      ...access(200, 0),
    ];
    const { findings } = accessLogEvidence({ canary, stable: access(270, 0) });
    expect(findings[0]?.title).toContain(
      'envoy response flags on canary 5xx: UF ×60 (upstream connection failure), UF,DF ×7 (upstream connection failure), UH ×3 (no healthy upstream host)',
    );
    // At most four kinds of flags, the most frequent.
    const many = [
      ...flaggedAs([
        ['UF', 9],
        ['UH', 8],
        ['UT', 7],
        ['UC', 6],
        ['NR', 5],
      ]),
      ...access(200, 0),
    ];
    const [five] = accessLogEvidence({ canary: many, stable: access(235, 0) }).findings;
    expect(five?.title).toMatch(/: UF ×9 \([^)]*\), UH ×8 \([^)]*\), UT ×7 \([^)]*\), UC ×6 \([^)]*\)$/);
  });
});
