import { asEvidenceId } from '@aiops/contracts';
import { describe, expect, it } from 'vitest';
import type { Evidence, Finding, MetricComparison, PodInfo } from '@aiops/contracts';
import { amountScores, describeAmount, evidenceConfidence, measureEvidence, thinEvidence } from '@aiops/evidence';

const NOW = '2026-11-22T12:00:00.000Z';
const ago = (seconds: number) => new Date(Date.parse(NOW) - seconds * 1000).toISOString();

const pod = (name: string, ageSeconds: number, ready = true): PodInfo => ({
  name,
  namespace: 'shop',
  labels: {},
  phase: 'Running',
  ready,
  createdAt: ago(ageSeconds),
  containers: [{ name: 'app', image: 'app:1', ready, restartCount: 0, current: { state: 'running' } }],
  initContainers: [],
});

const comparison = (
  id: string,
  source: MetricComparison['source'],
  canaryCount: number,
  classification: MetricComparison['classification'] = 'Pass',
  pValue?: number,
): MetricComparison => ({
  id: asEvidenceId(id),
  name: id,
  source,
  classification,
  critical: false,
  direction: 'increase',
  canary: { count: canaryCount },
  stable: { count: canaryCount },
  ...(pValue !== undefined ? { pValue } : {}),
});

function evidence(
  options: {
    ages?: readonly number[];
    ready?: boolean;
    lines?: number;
    comparisons?: readonly MetricComparison[];
    findings?: readonly Finding[];
  } = {},
): Evidence {
  return {
    request: { namespace: 'shop', stableSelector: 'role=stable', canarySelector: 'role=canary' },
    collectedAt: NOW,
    pods: {
      canary: (options.ages ?? [600]).map((a, i) => pod(`c-${i}`, a, options.ready ?? true)),
      stable: [pod('s-1', 86_400)],
    },
    logs: { canaryLines: options.lines ?? 300, stableLines: 600, signatures: [], omitted: 0 },
    events: [],
    metrics: { source: 'prometheus', comparisons: [...(options.comparisons ?? [])], notes: [] },
    findings: [...(options.findings ?? [])],
    notes: [],
  };
}

const pass = (e: Evidence) => evidenceConfidence({ evidence: e, outcome: 'pass', findingIds: [] });

describe('measureEvidence', () => {
  it('counts what was seen of the canary: age of the oldest pod, ready pods, requests, log lines, metric samples', () => {
    const e = evidence({
      ages: [30, 900],
      ready: true,
      lines: 42,
      comparisons: [
        comparison('logs:http_5xx_ratio', 'logs', 180),
        comparison('metric:cpu', 'prometheus', 20),
        comparison('metric:mem', 'prometheus', 0, 'NoData'),
      ],
    });
    expect(measureEvidence(e)).toEqual({
      canaryPods: 2,
      canaryPodsReady: 2,
      canaryAgeSeconds: 900,
      canaryRequests: 180,
      canaryLogEvents: 42,
      metricSamples: 20,
      comparisons: { judged: 2, total: 3 },
      noTraffic: false,
    });
  });

  it('counts requests from the access logs only, however many samples a Prometheus comparison has', () => {
    const both = [comparison('logs:http_5xx_ratio', 'logs', 40), comparison('metric:rps', 'prometheus', 500)];
    expect(measureEvidence(evidence({ comparisons: both })).canaryRequests).toBe(40);
    const prometheusOnly = [comparison('metric:rps', 'prometheus', 500)];
    expect(measureEvidence(evidence({ comparisons: prometheusOnly })).canaryRequests).toBe(0);
  });

  it('says it in words', () => {
    expect(describeAmount(measureEvidence(evidence({ ages: [5], lines: 1 })))).toBe(
      'the canary has run 5 s; 0 requests, 1 log line and 0 metric samples seen; 1/1 pods ready',
    );
  });
});

describe('thin evidence', () => {
  it.each([
    ['five seconds old', { ages: [5], lines: 1 }, 'it started less than a minute ago'],
    ['old but silent', { ages: [3600], lines: 3 }, 'it has served almost nothing'],
    ['no pod ready', { ages: [3600], ready: false }, 'none of its pods is ready'],
    [
      'no traffic',
      {
        ages: [3600],
        findings: [
          {
            id: asEvidenceId('traffic:canary:none'),
            kind: 'no-traffic',
            side: 'canary',
            severity: 'info',
            hard: false,
            title: 't',
          },
        ],
      },
      'it has no traffic yet',
    ],
  ] as const)('%s', (_name, options, why) => {
    expect(thinEvidence(measureEvidence(evidence(options)))).toContain(why);
    expect(evidenceConfidence({ evidence: evidence(options), outcome: 'thin', findingIds: [] })).toBeLessThanOrEqual(
      60,
    );
  });

  it('a quiet worker with metrics is not thin; one without them is', () => {
    expect(
      thinEvidence(
        measureEvidence(
          evidence({ ages: [3600], lines: 2, comparisons: [comparison('metric:cpu', 'prometheus', 20)] }),
        ),
      ),
    ).toBeUndefined();
    expect(thinEvidence(measureEvidence(evidence({ ages: [3600], lines: 2 })))).toBeDefined();
  });

  it('ten minutes of traffic is not thin', () => {
    expect(thinEvidence(measureEvidence(evidence()))).toBeUndefined();
  });
});

describe('evidenceConfidence', () => {
  it('promote grows with what was seen and how many comparisons had data, within 50..95', () => {
    const little = pass(evidence({ ages: [90], lines: 30 }));
    const more = pass(evidence({ ages: [600], lines: 300 }));
    const judged = pass(
      evidence({
        ages: [600],
        lines: 300,
        comparisons: [comparison('logs:http_5xx_ratio', 'logs', 300), comparison('metric:cpu', 'prometheus', 20)],
      }),
    );
    const halfNoData = pass(
      evidence({
        ages: [600],
        lines: 300,
        comparisons: [comparison('metric:cpu', 'prometheus', 20), comparison('metric:mem', 'prometheus', 0, 'NoData')],
      }),
    );
    expect(little).toBeLessThan(more);
    expect(more).toBeLessThan(halfNoData);
    expect(halfNoData).toBeLessThan(judged);
    expect(judged).toBe(95);
    expect(little).toBeGreaterThanOrEqual(50);
  });

  it('thin is capped at 60 whatever else was seen', () => {
    const quiet: Finding = {
      id: asEvidenceId('traffic:canary:none'),
      kind: 'no-traffic',
      side: 'canary',
      severity: 'info',
      hard: false,
      title: 'weight 0',
    };
    const e = evidence({
      ages: [3600],
      lines: 5000,
      comparisons: [comparison('metric:cpu', 'prometheus', 400)],
      findings: [quiet],
    });
    expect(evidenceConfidence({ evidence: e, outcome: 'thin', findingIds: [] })).toBe(60);
    expect(
      evidenceConfidence({ evidence: evidence({ ages: [5], lines: 5000 }), outcome: 'thin', findingIds: [] }),
    ).toBe(50);
    expect(evidenceConfidence({ evidence: evidence({ ages: [5], lines: 1 }), outcome: 'thin', findingIds: [] })).toBe(
      40,
    );
  });

  it('reject: 95 for a hard failure; a regression is as confident as its test is decisive', () => {
    const hard: Finding = {
      id: asEvidenceId('pod:c-0:app:crash-loop'),
      kind: 'crash-loop',
      side: 'canary',
      severity: 'critical',
      hard: true,
      title: 'x',
    };
    expect(
      evidenceConfidence({ evidence: evidence({ findings: [hard] }), outcome: 'fail', findingIds: [hard.id] }),
    ).toBe(95);
    const regression = (p: number) => {
      const f: Finding = {
        id: asEvidenceId('metric:latency'),
        kind: 'metric-regression',
        side: 'canary',
        severity: 'error',
        hard: false,
        title: 'slower',
      };
      return evidenceConfidence({
        evidence: evidence({ findings: [f], comparisons: [comparison('metric:latency', 'prometheus', 20, 'High', p)] }),
        outcome: 'suspect',
        findingIds: [f.id],
      });
    };
    expect(regression(0.019)).toBe(60);
    expect(regression(1e-4)).toBeGreaterThan(regression(0.01));
    expect(regression(1e-9)).toBe(90);
  });
});

// From the survivors of `pnpm mutation` on the policy: what each source counts for, the boundaries, and which
// finding's strength a rejection's confidence takes.
describe('measureEvidence: which source counts for what', () => {
  it('requests come from access logs, metric samples from Prometheus data only, comparisons from both', () => {
    const amount = measureEvidence(
      evidence({
        comparisons: [
          comparison('metric:latency', 'prometheus', 40),
          comparison('metric:errors', 'prometheus', 7, 'NoData'),
          comparison('logs:http_5xx_ratio', 'logs', 300),
          comparison('k8s:restarts', 'kubernetes', 9),
        ],
      }),
    );
    expect(amount).toMatchObject({ canaryRequests: 300, metricSamples: 40, comparisons: { judged: 2, total: 3 } });
  });

  it('only a canary no-traffic finding says the canary has no traffic', () => {
    const quiet = (side: Finding['side'], kind: Finding['kind']): Finding => ({
      id: asEvidenceId('traffic:canary:none'),
      kind,
      side,
      severity: 'info',
      hard: false,
      title: 'no traffic',
    });
    expect(measureEvidence(evidence({ findings: [quiet('stable', 'no-traffic')] })).noTraffic).toBe(false);
    expect(measureEvidence(evidence({ findings: [quiet('canary', 'restarts')] })).noTraffic).toBe(false);
    expect(measureEvidence(evidence({ findings: [quiet('canary', 'no-traffic')] })).noTraffic).toBe(true);
  });
});

describe('amountScores, describeAmount and thinEvidence at their boundaries', () => {
  const amount = {
    canaryPods: 2,
    canaryPodsReady: 1,
    canaryAgeSeconds: 600,
    canaryRequests: 50,
    canaryLogEvents: 0,
    metricSamples: 0,
    comparisons: { judged: 0, total: 0 },
    noTraffic: false,
  };

  it('seen scales requests by 100 and metric samples by 20; no pod is none ready', () => {
    expect(amountScores(amount)).toEqual({ run: 1, seen: 0.5, ready: 0.5 });
    expect(amountScores({ ...amount, canaryRequests: 0, metricSamples: 10 }).seen).toBe(0.5);
    expect(amountScores({ ...amount, canaryPods: 0, canaryPodsReady: 0 }).ready).toBe(0);
  });

  it('says the age in seconds under two minutes, minutes under two hours, else hours, or that it is unknown', () => {
    const age = (canaryAgeSeconds?: number) =>
      describeAmount(
        canaryAgeSeconds === undefined ? { ...amount, canaryAgeSeconds } : { ...amount, canaryAgeSeconds },
      );
    expect(age(119)).toMatch(/^the canary has run 119 s;/);
    expect(age(120)).toMatch(/^the canary has run 2 min;/);
    expect(age(7199)).toMatch(/^the canary has run 120 min;/);
    expect(age(7200)).toMatch(/^the canary has run 2 h;/);
    const { canaryAgeSeconds: _, ...unknown } = amount;
    expect(describeAmount(unknown)).toMatch(/^the canary has run for an unknown time;/);
  });

  it('a minute of run, a fifth of seen and one ready pod are enough', () => {
    expect(thinEvidence({ ...amount, canaryAgeSeconds: 60, canaryRequests: 20 })).toBeUndefined();
    expect(thinEvidence({ ...amount, canaryAgeSeconds: 59 })).toMatch(/it started less than a minute ago/);
    expect(thinEvidence({ ...amount, canaryRequests: 19 })).toMatch(/it has served almost nothing/);
    expect(thinEvidence({ ...amount, canaryPodsReady: 0 })).toMatch(/none of its pods is ready/);
  });
});

describe('evidenceConfidence of a rejection: the strength of the findings behind it', () => {
  const soft = (id: string): Finding => ({
    id: asEvidenceId(id),
    kind: 'error-signature',
    side: 'canary',
    severity: 'error',
    hard: false,
    title: id,
  });
  const signature = (id: string, count: number) => ({
    id,
    template: id,
    severity: 'error' as const,
    errorLike: true,
    canary: { count, perThousand: count },
    stable: { count: 0, perThousand: 0 },
    canaryOnly: true,
    examples: [],
  });
  const suspect = (e: Evidence, findingIds: string[]) =>
    evidenceConfidence({ evidence: e, outcome: 'suspect', findingIds });

  it('a log template by its canary count (20 events is decisive), whatever unrelated metric is there', () => {
    const e = evidence({
      findings: [soft('log:few'), soft('log:many')],
      comparisons: [comparison('metric:latency', 'prometheus', 40, 'High', 1e-9)],
    });
    e.logs.signatures = [signature('few', 2), signature('many', 20)];
    expect(suspect(e, ['log:many'])).toBe(90);
    expect(suspect(e, ['log:few'])).toBe(63);
  });

  it('only the findings behind the rejection count', () => {
    const e = evidence({ findings: [soft('log:few'), soft('log:many')] });
    e.logs.signatures = [signature('few', 10), signature('many', 20)];
    expect(suspect(e, ['log:few'])).toBe(75);
  });

  it('a hard finding is decisive', () => {
    const e = evidence({ findings: [{ ...soft('pod:c-0:app:crash-loop'), hard: true }] });
    expect(suspect(e, ['pod:c-0:app:crash-loop'])).toBe(90);
  });

  it('a promotion weighs ready pods by 0.2 (half ready: 77 with everything else seen and nothing judged)', () => {
    expect(pass(evidence({ ages: [600, 600], lines: 300 }))).toBe(82);
    const half = evidence({ ages: [600, 600], lines: 300 });
    half.pods.canary[1] = { ...half.pods.canary[1]!, ready: false };
    expect(pass(half)).toBe(77);
  });
});
