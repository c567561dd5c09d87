/**
 * What a verdict records of the models asked (votes, the first answer, the model error, the voting rationale, the
 * disagreement) and which vote speaks for it: written from the survivors of `pnpm mutation` on the policy.
 */
import { describe, expect, it } from 'vitest';
import { modelAnswer } from './support/model-answer.js';
import {
  DependencyError,
  EvidenceIds,
  type Evidence,
  type Finding,
  type MetricComparison,
  type ModelDiagnosis,
} from '@aiops/contracts';
import { decide, decideVerdict, type ModelOutcome } from '@aiops/evidence';
import { crashLoopOf, runningPod } from './support/evidence-builders.js';

const COLLECTED = '2026-11-22T01:00:00Z';
const HOUR_BEFORE = '2026-11-22T00:00:00Z';
const pod = (name: string) => runningPod(name, HOUR_BEFORE);

/** Clean and not thin: an hour old, 5000 log lines. Its own confidence is 82 (no comparisons judged). */
function clean(findings: Finding[] = [], comparisons: MetricComparison[] = []): Evidence {
  return {
    request: {
      namespace: 'shop',
      rolloutName: 'checkout',
      stableSelector: 'role=stable',
      canarySelector: 'role=canary',
    },
    collectedAt: COLLECTED,
    pods: { canary: [pod('c-1')], stable: [pod('s-1')] },
    logs: { canaryLines: 5000, stableLines: 5000, signatures: [], omitted: 0 },
    events: [],
    metrics: { source: 'prometheus', comparisons, notes: [] },
    findings,
    notes: [],
  };
}

const crash = crashLoopOf('c-1');
const warning = (id: string): Finding => ({
  id: EvidenceIds.logSignature(id),
  kind: 'error-signature',
  side: 'canary',
  severity: 'warning',
  hard: false,
  title: `canary-heavier warning ${id}`,
});
const high = (name: string): MetricComparison => ({
  id: EvidenceIds.metric(name),
  name,
  source: 'prometheus',
  classification: 'High',
  critical: false,
  direction: 'increase',
  canary: { count: 20, median: 2 },
  stable: { count: 20, median: 1 },
});

type Text = Partial<Pick<ModelDiagnosis['diagnosis'], 'rootCause' | 'remediation' | 'analysis'>>;
/** A named model's answer; `analysis` defaults to one that names the model, to see whose answer speaks. */
function answer(name: string, promote: boolean, cited: string[] = [], confidence = 90, text: Text = {}) {
  const { result } = modelAnswer(promote, cited, confidence, text);
  return {
    result: {
      ...result,
      modelName: name,
      diagnosis: { ...result.diagnosis, analysis: text.analysis ?? `${name} says` },
    },
  };
}
const failure = (message: string, modelName?: string): ModelOutcome => ({
  error: new DependencyError('llm', message),
  ...(modelName !== undefined ? { modelName } : {}),
});

const cfg = { onModelUnavailable: 'evidence' as const };

describe('decide', () => {
  it('returns the verdict when there is evidence to judge', () => {
    const d = decide({ evidence: clean() }, cfg);
    expect(d.absent).toBeUndefined();
    expect(d.verdict).toMatchObject({ outcome: 'promote', promote: true, decidedBy: 'evidence' });
  });
});

describe('what a verdict records of the models', () => {
  it('without a model: no model, no votes, no rationale, no citations', () => {
    const v = decideVerdict({ evidence: clean() }, cfg);
    expect(v).not.toHaveProperty('model');
    expect(v).not.toHaveProperty('votes');
    expect(v).not.toHaveProperty('votingRationale');
    expect(v).not.toHaveProperty('modelError');
    expect(v.evidenceIds).toEqual([]);
  });

  it('one model: its answer and its vote (with token usage), and no voting rationale', () => {
    const one = answer('solo', true, [], 70);
    one.result.usage = { inputTokens: 1200, outputTokens: 80 };
    const v = decideVerdict({ evidence: clean(), model: one }, cfg);
    expect(v.model).toEqual(one.result);
    expect(v.votes).toEqual([
      { modelName: 'solo', executionTimeMs: 5, attempts: 1, diagnosis: one.result.diagnosis, usage: one.result.usage },
    ]);
    expect(v).not.toHaveProperty('votingRationale');
    expect(v).not.toHaveProperty('modelError');
  });

  it('the first model that answered stands for the model; one that failed beside it is no model error', () => {
    const second = answer('b', true, [], 70);
    const v = decideVerdict({ evidence: clean(), models: [failure('timeout', 'a'), second, answer('c', true)] }, cfg);
    expect(v.model).toEqual(second.result);
    expect(v).not.toHaveProperty('modelError');
  });

  it('a failed model without a name is named by its place in the list', () => {
    const v = decideVerdict({ evidence: clean(), models: [answer('a', true), failure('HTTP 500')] }, cfg);
    expect(v.votes?.[1]).toMatchObject({ modelName: 'model 2', executionTimeMs: 0, error: 'llm: HTTP 500' });
    expect(v.votingRationale).toContain('the model (model 2) gave no answer.');
  });

  it('the one model failing: its own error is the model error, unchanged', () => {
    const v = decideVerdict({ evidence: clean(), model: failure('HTTP 500', 'solo') }, cfg);
    expect(v.modelError).toBe('llm: HTTP 500');
    expect(v.analysis).toContain('The model was unavailable (llm: HTTP 500)');
  });

  it('a model failure that is no dependency error is thrown as one (onModelUnavailable=error), with its cause', () => {
    const cause = new Error('socket hang up');
    let thrown: unknown;
    try {
      decideVerdict({ evidence: clean(), model: { error: cause } }, { onModelUnavailable: 'error' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DependencyError);
    expect((thrown as Error).message).toBe('llm: socket hang up');
    expect((thrown as Error).cause).toBe(cause);
  });
});

describe('the voting rationale (several models)', () => {
  it("lists each vote with its confidence and at most three citations, and the policy's reason", () => {
    const cited = [crash.id, 'log:a', 'log:b', 'log:c'];
    const v = decideVerdict(
      { evidence: clean([crash]), models: [answer('a', true, [], 90), answer('b', false, cited, 80)] },
      cfg,
    );
    expect(v.votingRationale).toBe(
      `2 models asked: a said promote (confidence 90); b said reject (confidence 80, citing ${crash.id}, log:a, log:b). ` +
        'The evidence decides: the canary has hard failures, which no model vote can promote.',
    );
  });

  it('names the models that gave no answer, with their error cut to 160 characters', () => {
    const long = 'x'.repeat(300);
    const v = decideVerdict({ evidence: clean(), models: [failure(long, 'a'), answer('b', true)] }, cfg);
    expect(v.votingRationale).toContain(`a gave no answer (llm: ${'x'.repeat(155)})`);
    expect(v.votingRationale).not.toContain('x'.repeat(156));
    expect(v.votingRationale).toMatch(/with the lowest of their confidences\. the model \(a\) gave no answer\.$/);
  });

  it('says nothing of failures when every model answered', () => {
    const v = decideVerdict({ evidence: clean(), models: [answer('a', true), answer('b', true)] }, cfg);
    expect(v.votingRationale).not.toContain('gave no answer');
  });

  it('is cut to 2000 characters however many models failed', () => {
    const models = Array.from({ length: 20 }, (_, i) => failure('y'.repeat(200), `model-${i}`));
    const v = decideVerdict({ evidence: clean(), models }, cfg);
    expect(v.votes).toHaveLength(20);
    expect(v.votingRationale?.length).toBe(2000);
    expect(v.votingRationale).toMatch(/^20 models asked: model-0 gave no answer/);
  });
});

describe('a rejection from the evidence, with several models', () => {
  it('only the models that agree lower its confidence and explain it; a promoting one is overruled', () => {
    const v = decideVerdict(
      {
        evidence: clean([crash]),
        models: [answer('a', true, [], 10), answer('b', false, [crash.id], 80, { rootCause: 'b cause' })],
      },
      cfg,
    );
    expect(v).toMatchObject({ promote: false, confidence: 80, rootCause: 'b cause', decidedBy: 'evidence-over-model' });
    expect(v.analysis).toMatch(/^b says\n\n/);
  });

  it('names every overruled model', () => {
    const v = decideVerdict({ evidence: clean([crash]), models: [answer('a', true), answer('b', true)] }, cfg);
    expect(v.disagreement).toMatch(/^the models \(a, b\) said promote, but the canary has hard failures: /);
  });

  it('no disagreement when no model said promote', () => {
    const v = decideVerdict({ evidence: clean([crash]), model: answer('a', false, [crash.id], 80) }, cfg);
    expect(v.decidedBy).toBe('evidence');
    expect(v).not.toHaveProperty('disagreement');
  });
});

describe('a veto on clean evidence', () => {
  it('missing traffic or pods is no canary problem, whatever its severity', () => {
    const quiet: Finding = { ...warning('q'), id: EvidenceIds.noCanaryTraffic(), kind: 'no-traffic' };
    const v = decideVerdict({ evidence: clean([quiet]), model: answer('a', false, [quiet.id], 80) }, cfg);
    expect(v.decidedBy).toBe('evidence-over-unfounded-veto');
  });

  it('a founded veto alone is not a disagreement: its confidence is not capped at 60', () => {
    const w = warning('w');
    const v = decideVerdict({ evidence: clean([w]), model: answer('a', false, [w.id], 80) }, cfg);
    expect(v).toMatchObject({ promote: false, decidedBy: 'model-veto', confidence: 80 });
    expect(v).not.toHaveProperty('disagreement');
  });

  it('the veto citing the most canary evidence speaks for the verdict', () => {
    const [w1, w2] = [warning('w1'), warning('w2')];
    const v = decideVerdict(
      {
        evidence: clean([w1, w2]),
        models: [
          answer('a', false, [w1.id], 40, { rootCause: 'a cause' }),
          answer('b', false, [w1.id, w2.id], 50, { rootCause: 'b cause' }),
          answer('c', false, [w2.id], 30, { rootCause: 'c cause' }),
        ],
      },
      cfg,
    );
    expect(v).toMatchObject({ decidedBy: 'model-veto', confidence: 50, rootCause: 'b cause', analysis: 'b says' });
    expect(v.evidenceIds).toEqual([w1.id, w2.id]);
  });

  it('unfounded vetoes: the surest one lowers the confidence', () => {
    const v = decideVerdict(
      { evidence: clean(), models: [answer('a', false, [], 20), answer('b', false, [], 90)] },
      cfg,
    );
    expect(v).toMatchObject({ promote: true, decidedBy: 'evidence-over-unfounded-veto', confidence: 55 });
    expect(v.evidenceIds).toEqual([]);
  });

  it("an unfounded veto without a root cause is reported with the model's analysis; no promoter is named", () => {
    const v = decideVerdict(
      { evidence: clean(), model: answer('a', false, [], 80, { rootCause: '', analysis: 'looks slow' }) },
      cfg,
    );
    expect(v.disagreement).toBe(
      'the model (a) advised against promotion without citing evidence of a canary problem (no citations); its reasoning: looks slow',
    );
  });

  it('the disagreement of many unfounded vetoes is cut to 1000 characters', () => {
    const models = Array.from({ length: 10 }, (_, i) => answer(`m${i}`, false, [], 50, { rootCause: 'r'.repeat(100) }));
    const v = decideVerdict({ evidence: clean(), models }, cfg);
    expect(v.disagreement?.length).toBe(1000);
  });
});

describe('a promotion on clean evidence', () => {
  it('keeps the canary evidence a promoting model cited', () => {
    const latency = high('latency');
    const v = decideVerdict({ evidence: clean([], [latency]), model: answer('a', true, [latency.id, 'log:x']) }, cfg);
    expect(v).toMatchObject({ promote: true, decidedBy: 'model' });
    expect(v.evidenceIds).toEqual([latency.id]);
  });

  it('a remediation of blanks reads as none required', () => {
    const v = decideVerdict({ evidence: clean(), model: answer('a', true, [], 90, { remediation: '   ' }) }, cfg);
    expect(v.remediation).toBe('none required');
  });
});

describe('thin evidence', () => {
  const quiet: Finding = {
    id: EvidenceIds.noCanaryTraffic(),
    kind: 'no-traffic',
    side: 'canary',
    severity: 'info',
    hard: false,
    title: 'no traffic',
  };

  it("takes the thin confidence, not a pass's, however long the canary ran", () => {
    // A pass with this much seen would be 82; thin is at most 60.
    const v = decideVerdict({ evidence: clean([quiet]) }, cfg);
    expect(v).toMatchObject({ outcome: 'inconclusive', promote: true, confidence: 60 });
  });

  it('says it is thin once, at the start', () => {
    const v = decideVerdict({ evidence: clean([quiet]) }, cfg);
    expect(v.analysis.startsWith('Promote with low confidence: the evidence is thin;')).toBe(true);
    expect(v.analysis.split('the evidence is thin').length).toBe(2);
  });
});
