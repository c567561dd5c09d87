/**
 * What a model's veto may rest on, and how far a model may move confidence: written from the survivors of
 * `pnpm mutation` on the policy (each test names the rule a surviving mutant broke).
 */
import { describe, expect, it } from 'vitest';
import { crashLoopOf, logSignature } from './support/evidence-builders.js';
import { modelAnswer } from './support/model-answer.js';
import {
  EvidenceIds,
  type Evidence,
  type Finding,
  type LogSignature,
  type MetricComparison,
  type PodInfo,
} from '@aiops/contracts';
import { decideVerdict } from '@aiops/evidence';

const HOUR_AGO = new Date(Date.now() - 3_600_000).toISOString();
const pod = (name: string): PodInfo => ({
  name,
  namespace: 'shop',
  labels: {},
  phase: 'Running',
  ready: true,
  createdAt: HOUR_AGO,
  containers: [
    {
      name: 'app',
      image: 'app:1',
      ready: true,
      restartCount: 0,
      current: { state: 'running', startedAt: HOUR_AGO },
    },
  ],
  initContainers: [],
});

const signature = (id: string, over: Partial<LogSignature>): LogSignature =>
  logSignature(id, { canary: { count: 10, perThousand: 10 }, canaryOnly: false, examples: [], ...over });

const metric = (name: string, classification: MetricComparison['classification']): MetricComparison => ({
  id: EvidenceIds.metric(name),
  name,
  source: 'prometheus',
  classification,
  critical: false,
  direction: 'increase',
  canary: { count: 20, median: 1 },
  stable: { count: 20, median: 1 },
});

/** Clean evidence (nothing the policy rejects on its own), with plenty of traffic so it is not thin. */
function clean(options: { signatures?: LogSignature[]; comparisons?: MetricComparison[] } = {}): Evidence {
  return {
    request: {
      namespace: 'shop',
      rolloutName: 'checkout',
      stableSelector: 'role=stable',
      canarySelector: 'role=canary',
    },
    collectedAt: new Date().toISOString(),
    pods: { canary: [pod('c-1'), pod('c-2')], stable: [pod('s-1'), pod('s-2')] },
    logs: { canaryLines: 5000, stableLines: 5000, signatures: options.signatures ?? [], omitted: 0 },
    events: [],
    metrics: { source: 'prometheus', comparisons: options.comparisons ?? [], notes: [] },
    findings: [],
    notes: [],
  };
}

const model = modelAnswer;

const cfg = { onModelUnavailable: 'evidence' as const };
const veto = (evidence: Evidence, cited: string[]) => decideVerdict({ evidence, model: model(false, cited, 80) }, cfg);

describe('a veto counts only when it cites canary evidence', () => {
  it('a canary-only error signature', () => {
    const e = clean({ signatures: [signature('a', { canaryOnly: true })] });
    expect(veto(e, ['log:a'])).toMatchObject({ promote: false, decidedBy: 'model-veto', evidenceIds: ['log:a'] });
  });

  it('a signature more than twice as frequent in the canary, but not one at exactly twice the rate', () => {
    const heavier = signature('h', { canary: { count: 30, perThousand: 6.1 }, stable: { count: 15, perThousand: 3 } });
    const twice = signature('t', { canary: { count: 30, perThousand: 6 }, stable: { count: 15, perThousand: 3 } });
    expect(veto(clean({ signatures: [heavier] }), ['log:h']).promote).toBe(false);
    expect(veto(clean({ signatures: [twice] }), ['log:t'])).toMatchObject({
      promote: true,
      decidedBy: 'evidence-over-unfounded-veto',
    });
  });

  it('never an info line, a signature the canary never printed, or one only stable prints more', () => {
    const info = signature('i', { canaryOnly: true, severity: 'info' });
    const unseen = signature('u', { canaryOnly: true, canary: { count: 0, perThousand: 0 } });
    const stableHeavier = signature('s', {
      canary: { count: 1, perThousand: 1 },
      stable: { count: 9, perThousand: 9 },
    });
    for (const [s, id] of [
      [info, 'log:i'],
      [unseen, 'log:u'],
      [stableHeavier, 'log:s'],
    ] as const)
      expect(veto(clean({ signatures: [s] }), [id]).decidedBy, id).toBe('evidence-over-unfounded-veto');
  });

  it('a metric classified High or Low, never one that passed', () => {
    const e = clean({ comparisons: [metric('latency', 'High'), metric('success', 'Low'), metric('cpu', 'Pass')] });
    expect(veto(e, ['metric:latency']).promote).toBe(false);
    expect(veto(e, ['metric:success']).promote).toBe(false);
    expect(veto(e, ['metric:cpu']).decidedBy).toBe('evidence-over-unfounded-veto');
  });

  it('never an id the evidence does not have, however well formed; citations are read trimmed', () => {
    const e = clean({ signatures: [signature('a', { canaryOnly: true })] });
    expect(veto(e, ['log:invented', 'pod:forged:app:crash-loop']).decidedBy).toBe('evidence-over-unfounded-veto');
    expect(veto(e, [' log:a ']).evidenceIds).toEqual(['log:a']);
  });

  it('an unfounded veto promotes with confidence at most 60, lower the surer the model was', () => {
    const e = clean();
    const sure = decideVerdict({ evidence: e, model: model(false, ['log:invented'], 90) }, cfg);
    const unsure = decideVerdict({ evidence: e, model: model(false, [], 20) }, cfg);
    expect(sure).toMatchObject({ promote: true, confidence: 55 });
    expect(unsure).toMatchObject({ promote: true, confidence: 60 });
    expect(sure.disagreement).toContain('cited: log:invented');
    expect(unsure.disagreement).toContain('no citations');
  });
});

describe('a model may lower confidence, never raise it', () => {
  it('a promotion takes the lower of the evidence and the model', () => {
    const e = clean();
    const fromEvidence = decideVerdict({ evidence: e }, cfg).confidence;
    expect(fromEvidence).toBeGreaterThan(40);
    expect(decideVerdict({ evidence: e, model: model(true, [], 40) }, cfg).confidence).toBe(40);
    expect(decideVerdict({ evidence: e, model: model(true, [], 100) }, cfg).confidence).toBe(fromEvidence);
  });

  it("a founded veto too: the model's confidence, capped by the evidence's", () => {
    const e = clean({ signatures: [signature('a', { canaryOnly: true })] });
    const fromEvidence = decideVerdict({ evidence: e }, cfg).confidence;
    expect(decideVerdict({ evidence: e, model: model(false, ['log:a'], 30) }, cfg).confidence).toBe(30);
    expect(decideVerdict({ evidence: e, model: model(false, ['log:a'], 100) }, cfg).confidence).toBe(fromEvidence);
  });

  it('an empty root cause or remediation from a promoting model reads as none', () => {
    const v = decideVerdict(
      { evidence: clean(), model: model(true, [], 90, { rootCause: '  ', remediation: '' }) },
      cfg,
    );
    expect(v).toMatchObject({ rootCause: 'none', remediation: 'none required' });
    const kept = decideVerdict(
      { evidence: clean(), model: model(true, [], 90, { rootCause: 'cache warm-up', remediation: 'wait' }) },
      cfg,
    );
    expect(kept).toMatchObject({ rootCause: 'cache warm-up', remediation: 'wait' });
  });
});

describe('a rejection from the evidence', () => {
  const hard = crashLoopOf('c-1');

  const soft: Finding = {
    id: EvidenceIds.logSignature('e'),
    kind: 'error-signature',
    side: 'canary',
    severity: 'error',
    hard: false,
    title: 'canary-only error: upstream refused',
  };
  const withFinding = (f: Finding): Evidence => ({ ...clean(), findings: [f] });

  it('says which kind overruled a promoting model', () => {
    expect(decideVerdict({ evidence: withFinding(hard), model: model(true, [], 90) }, cfg).disagreement).toContain(
      'has hard failures',
    );
    expect(decideVerdict({ evidence: withFinding(soft), model: model(true, [], 90) }, cfg).disagreement).toContain(
      'has canary-only errors or regressions',
    );
  });

  it("takes an agreeing model's root cause and fix, and the evidence's when the model left them empty", () => {
    const agreeing = decideVerdict(
      { evidence: withFinding(hard), model: model(false, [], 90, { rootCause: 'nil map', remediation: 'init map' }) },
      cfg,
    );
    expect(agreeing).toMatchObject({ rootCause: 'nil map', remediation: 'init map' });
    const empty = decideVerdict(
      { evidence: withFinding(hard), model: model(false, [], 90, { rootCause: ' ', remediation: ' ' }) },
      cfg,
    );
    const alone = decideVerdict({ evidence: withFinding(hard) }, cfg);
    expect(empty.rootCause).toBe(alone.rootCause);
    expect(empty.remediation).toBe(alone.remediation);
    expect(empty.rootCause.trim()).not.toBe('');
  });
});
