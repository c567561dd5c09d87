/**
 * The analysis the evidence alone writes (LLM_PROVIDER=none, or beside a model's): which facts it states, in which
 * order, and how many of each. The plugin keeps it in the AnalysisRun and operators read it in
 * `kubectl argo rollouts get rollout`. Written from the survivors of `pnpm mutation` on the policy's explanation.
 */
import { describe, expect, it } from 'vitest';
import { EvidenceIds, type Evidence, type Finding, type LogSignature, type MetricComparison } from '@aiops/contracts';
import { decideVerdict } from '@aiops/evidence';
import { logSignature, runningPod } from './support/evidence-builders.js';

const pod = (name: string) => runningPod(name);

const finding = (n: number, over: Partial<Finding> = {}): Finding => ({
  id: EvidenceIds.logSignature(`f${n}`),
  kind: 'error-signature',
  side: 'canary',
  severity: 'error',
  hard: false,
  title: `finding ${n}`,
  ...over,
});

// Printed by both sides at the same rate unless a test says otherwise.
const signature = (id: string, over: Partial<LogSignature> = {}): LogSignature =>
  logSignature(id, { stable: { count: 5, perThousand: 50 }, canaryOnly: false, ...over });

const metric = (name: string, classification: MetricComparison['classification']): MetricComparison => ({
  id: EvidenceIds.metric(name),
  name,
  source: 'prometheus',
  classification,
  critical: false,
  direction: 'increase',
  canary: { count: 30, mean: 1 },
  stable: { count: 30, mean: 1 },
});

function evidenceWith(over: Partial<Evidence> = {}): Evidence {
  return {
    request: { namespace: 'shop', rolloutName: 'cart', stableSelector: 'role=stable', canarySelector: 'role=canary' },
    collectedAt: '2026-11-22T00:00:00Z',
    pods: { canary: [pod('c-1'), pod('c-2')], stable: [pod('s-1')] },
    logs: { canaryLines: 120, stableLines: 340, signatures: [], omitted: 0 },
    events: [],
    metrics: { source: 'prometheus', comparisons: [], notes: [] },
    findings: [],
    notes: [],
    ...over,
  };
}

const analysisOf = (evidence: Evidence): string =>
  decideVerdict({ evidence }, { onModelUnavailable: 'evidence' }).analysis;

describe('what the analysis states', () => {
  it('names the rollout, both selectors, the pod and log-event counts', () => {
    expect(analysisOf(evidenceWith())).toContain(
      'Canary vs stable for rollout shop/cart: 2 canary pod(s) (role=canary), 1 stable pod(s) (role=stable); 120 canary and 340 stable log events compared.',
    );
    const noRollout = evidenceWith();
    noRollout.request = { namespace: 'shop', stableSelector: 'role=stable', canarySelector: 'role=canary' };
    expect(analysisOf(noRollout)).toContain('Canary vs stable for namespace shop: ');
  });

  it("states the Rollout's revision, and its canary weight when known", () => {
    const rollout = { name: 'cart', namespace: 'shop', revision: '7', images: [] };
    expect(analysisOf(evidenceWith({ rollout: { ...rollout, canaryWeight: 20 } }))).toContain(
      ' Rollout revision 7, canary weight 20%.',
    );
    expect(analysisOf(evidenceWith({ rollout }))).toContain(' Rollout revision 7.');
    const { revision: _none, ...noRevision } = rollout;
    expect(analysisOf(evidenceWith({ rollout: noRevision }))).not.toContain('Rollout revision');
  });

  it('lists at most five hard canary failures by id and title; stable-side and informational findings are not among them', () => {
    const hard = [1, 2, 3, 4, 5, 6].map((n) => finding(n, { hard: true, severity: 'critical', kind: 'panic' }));
    const text = analysisOf(
      evidenceWith({
        findings: [
          ...hard,
          finding(7, { hard: true, side: 'stable', severity: 'critical' }),
          finding(8, { hard: true, severity: 'info' }),
        ],
      }),
    );
    expect(text).toContain(
      `Hard failures in the canary: ${hard
        .slice(0, 5)
        .map((f) => `[${f.id}] ${f.title}`)
        .join('; ')}.`,
    );
    expect(text).not.toContain('finding 6');
    expect(text).not.toContain('finding 7');
    expect(text).not.toContain('Other canary findings');
  });

  it('lists at most five other canary findings apart from the hard ones', () => {
    const soft = [1, 2, 3, 4, 5, 6].map((n) => finding(n, { severity: 'warning' }));
    const text = analysisOf(evidenceWith({ findings: [finding(9, { hard: true, kind: 'panic' }), ...soft] }));
    expect(text).toContain(`Hard failures in the canary: [${EvidenceIds.logSignature('f9')}] finding 9.`);
    expect(text).toContain(
      `Other canary findings: ${soft
        .slice(0, 5)
        .map((f) => `[${f.id}] ${f.title}`)
        .join('; ')}.`,
    );
    expect(text).not.toContain('finding 6');
    const softOnly = analysisOf(
      evidenceWith({
        findings: [finding(1, { severity: 'warning' }), finding(2, { severity: 'warning', side: 'stable' })],
      }),
    );
    expect(softOnly).not.toContain('Hard failures in the canary');
    expect(softOnly).toContain(`Other canary findings: [${EvidenceIds.logSignature('f1')}] finding 1.`);
    expect(softOnly).not.toContain('finding 2');
  });

  it('counts the error templates both sides print, and only those', () => {
    const signatures = [
      signature('both-1'),
      signature('both-2', { kind: 'exception' }),
      signature('canary-only', { canaryOnly: true, stable: { count: 0, perThousand: 0 } }),
      signature('info', { errorLike: false, severity: 'info' }),
      signature('stable-only', { canary: { count: 0, perThousand: 0 } }),
      signature('no-stable', { stable: { count: 0, perThousand: 0 } }),
    ];
    expect(
      analysisOf(evidenceWith({ logs: { canaryLines: 120, stableLines: 340, signatures, omitted: 0 } })),
    ).toContain(' 2 error template(s) appear on both sides at comparable rates and are not attributed to the canary.');
    expect(analysisOf(evidenceWith())).not.toContain('error template(s)');
  });

  it('names the metrics worse in the canary, or says the compared ones show no regression', () => {
    const comparisons = [metric('latency', 'High'), metric('cpu', 'Pass'), metric('success', 'Low')];
    const worse = analysisOf(evidenceWith({ metrics: { source: 'prometheus', comparisons, notes: [] } }));
    expect(worse).toContain(' Metrics worse in the canary: latency High, success Low.');
    expect(worse).not.toContain('show no canary regression');
    const fine = analysisOf(
      evidenceWith({ metrics: { source: 'prometheus', comparisons: [metric('cpu', 'Pass')], notes: [] } }),
    );
    expect(fine).toContain(' Compared metrics show no canary regression.');
    const someFine = analysisOf(
      evidenceWith({
        metrics: { source: 'prometheus', comparisons: [metric('rps', 'NoData'), metric('cpu', 'Pass')], notes: [] },
      }),
    );
    expect(someFine).toContain(' Compared metrics show no canary regression.');
    expect(fine).not.toContain('Metrics worse');
    const noData = analysisOf(
      evidenceWith({ metrics: { source: 'prometheus', comparisons: [metric('cpu', 'NoData')], notes: [] } }),
    );
    expect(noData).not.toContain('show no canary regression');
    expect(noData).not.toContain('Metrics worse');
  });

  it("adds the first four notes (the metrics' first), then at most two informational canary findings", () => {
    const text = analysisOf(
      evidenceWith({
        metrics: { source: 'prometheus', comparisons: [], notes: ['metric note 1.', 'metric note 2.'] },
        notes: ['evidence note 1.', 'evidence note 2.', 'evidence note 3.'],
        findings: [
          finding(4, { severity: 'info', side: 'stable', title: 'stable info' }),
          finding(5, { severity: 'warning', title: 'a warning' }),
          finding(1, { severity: 'info', title: 'info one' }),
          finding(2, { severity: 'info', title: 'info two' }),
          finding(3, { severity: 'info', title: 'info three' }),
        ],
      }),
    );
    expect(text).toContain('metric note 1. metric note 2. evidence note 1. evidence note 2. info one. info two.');
    expect(text).not.toContain('evidence note 3.');
    expect(text).not.toContain('info three');
    expect(text).not.toContain('stable info');
  });

  it('starts with the decision: the most telling canary finding, or the kind of problem when none is an error', () => {
    const hardText = analysisOf(
      evidenceWith({ findings: [finding(1, { severity: 'warning' }), finding(2, { hard: true, kind: 'panic' })] }),
    );
    expect(hardText.startsWith('Do not promote: finding 2. Canary vs stable for rollout shop/cart')).toBe(true);
    const softError = analysisOf(
      evidenceWith({
        findings: [finding(1, { severity: 'warning' }), finding(2, { severity: 'error', title: 'errors rose' })],
      }),
    );
    expect(softError.startsWith('Do not promote: errors rose.')).toBe(true);
    const softCritical = analysisOf(
      evidenceWith({
        findings: [finding(1, { severity: 'warning' }), finding(2, { severity: 'critical', title: 'budget burnt' })],
      }),
    );
    expect(softCritical.startsWith('Do not promote: budget burnt.')).toBe(true);
    // A hard finding the explanation does not list (informational) still rejects; the decision names the kind.
    const unnamed = decideVerdict(
      { evidence: evidenceWith({ findings: [finding(1, { hard: true, severity: 'info' })] }) },
      { onModelUnavailable: 'evidence' },
    );
    expect(unnamed.promote).toBe(false);
    expect(unnamed.analysis.startsWith('Do not promote: hard failure in the canary.')).toBe(true);
    expect(unnamed.rootCause).toBe('none');
  });
});

describe('the remediation the evidence alone proposes', () => {
  const remediationOf = (over: Partial<Finding>): string =>
    decideVerdict({ evidence: evidenceWith({ findings: [finding(1, over)] }) }, { onModelUnavailable: 'evidence' })
      .remediation;

  it('fits the kind of the most telling finding', () => {
    expect(remediationOf({ hard: true, severity: 'critical', kind: 'oom-killed' })).toMatch(/memory limit/);
    expect(remediationOf({ hard: true, severity: 'critical', kind: 'image-pull' })).toMatch(/image reference/);
    expect(remediationOf({ hard: true, severity: 'critical', kind: 'crash-loop' })).toMatch(/previous container log/);
    expect(remediationOf({ kind: 'error-signature' })).toMatch(/new error messages that only the canary logs/);
  });

  it('holds the rollout for a kind it has no advice for, and needs none for a promotion', () => {
    expect(remediationOf({ severity: 'error', kind: 'warning-event' })).toBe(
      'Hold the rollout and investigate the canary findings listed in the analysis.',
    );
    expect(remediationOf({ severity: 'warning', kind: 'not-ready' })).toBe('none required');
  });
});
