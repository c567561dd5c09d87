import { asEvidenceId } from '@aiops/contracts';
import { describe, expect, it } from 'vitest';
import type { Evidence, Finding, MetricComparison, PodInfo } from '@aiops/contracts';
import { describeAmount, evidenceConfidence, measureEvidence, thinEvidence } from '@aiops/evidence';

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
