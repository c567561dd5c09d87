import { describe, expect, it } from 'vitest';
import type { ContainerInfo, KubeEvent, PodInfo } from '@aiops/contracts';
import { accessLogEvidence, appContainers, eventFindings, podHealthFindings, type LogEvent } from '@aiops/evidence';

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
const sidecar = container({ name: 'istio-proxy', image: 'istio/proxyv2', restartCount: 7 });

describe('appContainers', () => {
  it('skips mesh sidecars wherever they are in the spec', () => {
    expect(appContainers(pod('p', [sidecar, container()])).map((c) => c.name)).toEqual(['app']);
    expect(appContainers(pod('p', [container(), sidecar])).map((c) => c.name)).toEqual(['app']);
  });
});

describe('podHealthFindings', () => {
  it('flags a canary crash loop as a hard failure, and not the sidecar restarts', () => {
    const crashing = container({
      restartCount: 5,
      ready: false,
      current: { state: 'waiting', reason: 'CrashLoopBackOff' },
      last: { state: 'terminated', reason: 'Error', exitCode: 1 },
    });
    const findings = podHealthFindings({
      canary: [pod('c', [sidecar, crashing], { ready: false })],
      stable: [pod('s', [sidecar, container()])],
    });
    expect(findings.map((f) => [f.kind, f.hard])).toEqual([['crash-loop', true]]);
    expect(findings[0]?.title).toContain('exit code 1');
  });
  it('flags OOMKilled and image pull failures as hard', () => {
    const oom = container({ restartCount: 3, last: { state: 'terminated', reason: 'OOMKilled', exitCode: 137 } });
    const pull = container({
      ready: false,
      current: { state: 'waiting', reason: 'ImagePullBackOff', message: 'Back-off pulling image' },
    });
    const kinds = podHealthFindings({
      canary: [pod('a', [oom]), pod('b', [pull], { phase: 'Pending', ready: false })],
      stable: [pod('s', [container()])],
    }).map((f) => f.kind);
    expect(kinds).toEqual(['oom-killed', 'image-pull']);
  });
  it('does not blame the canary for restarts stable has too', () => {
    const restarted = container({ restartCount: 1 });
    expect(
      podHealthFindings({ canary: [pod('c', [restarted])], stable: [pod('s', [container({ restartCount: 2 })])] }),
    ).toEqual([]);
  });
  it('reports when no canary pod exists', () => {
    expect(podHealthFindings({ canary: [], stable: [pod('s', [container()])] }).map((f) => f.kind)).toEqual([
      'no-canary-pods',
    ]);
  });
});

describe('eventFindings', () => {
  const ev = (objectName: string, reason: string, message: string): KubeEvent => ({
    type: 'Warning',
    reason,
    message,
    objectKind: 'Pod',
    objectName,
    count: 3,
  });
  it('keeps canary-only warnings and marks image pull failures hard', () => {
    const findings = eventFindings(
      [
        ev('c', 'Failed', 'Failed to pull image "app:bad": not found'),
        ev('c', 'Unhealthy', 'Readiness probe failed'),
        ev('s', 'Unhealthy', 'Readiness probe failed'),
      ],
      { canary: ['c'], stable: ['s'] },
    );
    expect(findings.map((f) => [f.kind, f.hard])).toEqual([['image-pull', true]]);
  });
});

describe('restarts', () => {
  it('a canary crash with a non-zero exit that stable does not share is hard, even once', () => {
    const crashedOnce = container({ restartCount: 1, last: { state: 'terminated', reason: 'Error', exitCode: 1 } });
    const f = podHealthFindings({ canary: [pod('c', [crashedOnce])], stable: [pod('s', [container()])] });
    expect(f.map((x) => [x.kind, x.hard])).toEqual([['restarts', true]]);
  });
  it('a clean restart (exit 0) below the threshold is not hard', () => {
    const clean = container({ restartCount: 1, last: { state: 'terminated', reason: 'Completed', exitCode: 0 } });
    expect(
      podHealthFindings({ canary: [pod('c', [clean])], stable: [pod('s', [container()])] }).map((x) => x.hard),
    ).toEqual([false]);
  });
});

describe('accessLogEvidence', () => {
  const access = (n: number, errorsEvery: number, latency: (i: number) => number): LogEvent[] =>
    Array.from({ length: n }, (_, i) => ({
      message: 'GET /api',
      frames: [],
      raw: 'GET /api',
      kind: 'info',
      http: { status: errorsEvery > 0 && i % errorsEvery === 0 ? 503 : 200, latencyMs: latency(i) },
    }));

  it('flags a canary that answers 5xx more often as a hard failure, and slower answers as a soft one', () => {
    const { comparisons, findings } = accessLogEvidence({
      canary: access(400, 20, (i) => 200 + (i % 50)),
      stable: access(1200, 0, (i) => 100 + (i % 50)),
    });
    expect(comparisons.map((c) => [c.id, c.classification])).toEqual([
      ['logs:http_5xx_ratio', 'High'],
      ['logs:http_latency_ms', 'High'],
    ]);
    expect(findings.map((f) => [f.id, f.hard])).toEqual([
      ['logs:http_5xx_ratio', true],
      ['logs:http_latency_ms', false],
    ]);
  });
  it('passes equal error rates and latencies on unequal traffic', () => {
    const { findings, comparisons } = accessLogEvidence({
      canary: access(300, 50, (i) => 100 + (i % 40)),
      stable: access(1500, 50, (i) => 100 + (i % 40)),
    });
    expect(findings).toEqual([]);
    expect(comparisons.every((c) => c.classification === 'Pass')).toBe(true);
  });
  it('says nothing without access lines', () => {
    expect(accessLogEvidence({ canary: [], stable: access(100, 0, () => 5) })).toEqual({
      comparisons: [],
      findings: [],
    });
  });
});
