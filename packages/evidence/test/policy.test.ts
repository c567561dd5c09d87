import { asEvidenceId } from '@aiops/contracts';
import { describe, expect, it } from 'vitest';
import { modelAnswer } from './support/model-answer.js';
import {
  AbsentEvidenceError,
  DependencyError,
  type Evidence,
  type Finding,
  type ModelDiagnosis,
  type PodInfo,
} from '@aiops/contracts';
import { assessEvidence, decide, decideVerdict } from '@aiops/evidence';
import { runningPod } from './support/evidence-builders.js';

const pod = (name: string) => runningPod(name);

function evidence(findings: Finding[] = []): Evidence {
  return {
    request: {
      namespace: 'shop',
      rolloutName: 'checkout',
      stableSelector: 'role=stable',
      canarySelector: 'role=canary',
    },
    collectedAt: '2026-11-22T00:00:00Z',
    pods: { canary: [pod('c-1')], stable: [pod('s-1')] },
    logs: { canaryLines: 100, stableLines: 300, signatures: [], omitted: 0 },
    events: [],
    metrics: { source: 'kubernetes', comparisons: [], notes: [] },
    findings,
    notes: [],
  };
}

const crash: Finding = {
  id: asEvidenceId('pod:c-1:app:crash-loop'),
  kind: 'crash-loop',
  side: 'canary',
  severity: 'critical',
  hard: true,
  title: 'container app of canary pod c-1 is in CrashLoopBackOff',
};
const softError: Finding = {
  id: asEvidenceId('log:sig-1'),
  kind: 'error-signature',
  side: 'canary',
  severity: 'error',
  hard: false,
  title: 'canary-only error: upstream refused',
};

const model = modelAnswer;

const cfg = { onModelUnavailable: 'evidence' as const };

describe('assessEvidence', () => {
  it('fails on a hard canary finding, is suspect on soft canary errors, passes when clean', () => {
    expect(assessEvidence(evidence([crash])).outcome).toBe('fail');
    expect(assessEvidence(evidence([softError])).outcome).toBe('suspect');
    expect(assessEvidence(evidence()).outcome).toBe('pass');
  });
  it('ignores hard findings on the stable side', () => {
    expect(assessEvidence(evidence([{ ...crash, side: 'stable', hard: false }])).outcome).toBe('pass');
  });
});

describe('absent evidence: never a verdict', () => {
  const labelled = (name: string, labels: Record<string, string>, createdAt: string): PodInfo => ({
    ...pod(name),
    labels,
    createdAt,
  });

  it("no canary pod: names the selector and the labels the Rollout's newest pods carry, selector keys first", () => {
    const e: Evidence = {
      ...evidence(),
      request: {
        namespace: 'payments',
        rolloutName: 'refunds',
        stableSelector: 'role=stable',
        canarySelector: 'role=canary',
      },
      pods: { canary: [], stable: [pod('s-1')] },
      scope: {
        namespaceExists: true,
        canaryHint: { source: 'rollout-canary', labels: { app: 'refunds', role: 'preview' }, pods: 2 },
      },
    };
    expect(assessEvidence(e)).toMatchObject({
      outcome: 'absent',
      inconclusive: {
        kind: 'absent',
        absence: 'no-canary-pods',
        reason:
          "no pod in namespace payments matches canarySelector role=canary; the Rollout's newest pods carry role=preview, app=refunds",
      },
    });
    expect(decide({ evidence: e, model: model(true, [], 99) }, cfg)).toEqual({
      absent: expect.objectContaining({ absence: 'no-canary-pods' }) as unknown,
    });
    expect(() => decideVerdict({ evidence: e, model: model(true, [], 99) }, cfg)).toThrow(AbsentEvidenceError);
  });

  it('without a Rollout, the newest pods of the namespace say what the selector may have meant', () => {
    const e: Evidence = {
      ...evidence(),
      pods: { canary: [], stable: [pod('s-1')] },
      scope: { canaryHint: { source: 'namespace', labels: { track: 'next' }, pods: 1 } },
    };
    expect(assessEvidence(e).inconclusive?.reason).toBe(
      'no pod in namespace shop matches canarySelector role=canary; the newest pod in the namespace carries track=next',
    );
  });

  it('a missing namespace is said so, before anything else', () => {
    const e: Evidence = { ...evidence(), pods: { canary: [], stable: [] }, scope: { namespaceExists: false } };
    expect(assessEvidence(e).inconclusive).toMatchObject({
      absence: 'namespace-not-found',
      reason: expect.stringContaining('namespace shop does not exist') as unknown,
    });
  });

  it('a pod on both sides: overlapping selectors naming both, whatever the findings say', () => {
    const both = labelled('c-1', { app: 'x' }, '2026-11-22T00:00:00Z');
    const e: Evidence = { ...evidence([crash]), pods: { canary: [both], stable: [both, pod('s-1')] } };
    expect(assessEvidence(e).inconclusive).toMatchObject({
      absence: 'overlapping-selectors',
      field: 'context.canarySelector',
      reason: expect.stringMatching(
        /^canarySelector role=canary and stableSelector role=stable both match 1 pod\(s\) in namespace shop \(c-1\)/,
      ) as unknown,
    });
  });

  it('no stable pod: absent, unless the canary has a hard failure (a crash needs no baseline)', () => {
    const e: Evidence = {
      ...evidence(),
      pods: { canary: [pod('c-1')], stable: [] },
      scope: { stableHint: { source: 'rollout-stable', labels: { role: 'main' }, pods: 3 } },
    };
    expect(assessEvidence(e).inconclusive).toMatchObject({
      absence: 'no-stable-pods',
      reason: expect.stringContaining(
        "matches stableSelector role=stable; the Rollout's stable pods carry role=main",
      ) as unknown,
    });
    expect(decideVerdict({ evidence: { ...e, findings: [crash] } }, cfg)).toMatchObject({
      outcome: 'reject',
      promote: false,
    });
  });
});

describe('thin evidence: promote, capped at 60, inconclusive', () => {
  const young = (seconds: number, lines: number): Evidence => ({
    ...evidence(),
    pods: {
      canary: [
        { ...pod('c-1'), createdAt: new Date(Date.parse('2026-11-22T00:00:00Z') - seconds * 1000).toISOString() },
      ],
      stable: [pod('s-1')],
    },
    logs: { canaryLines: lines, stableLines: 300, signatures: [], omitted: 0 },
  });

  it('a canary 5 s old with one line: inconclusive, promote true (a quiet app must roll out), confidence ≤ 60, analysis says how thin', () => {
    const v = decideVerdict({ evidence: young(5, 1) }, cfg);
    expect(v).toMatchObject({ outcome: 'inconclusive', promote: true, inconclusive: { kind: 'thin' } });
    expect(v.confidence).toBeLessThanOrEqual(60);
    expect(v.analysis).toMatch(
      /^Promote with low confidence: the evidence is thin; the canary has run 5 s; 0 requests, 1 log line and 0 metric samples seen; 1\/1 pods ready \(it started less than a minute ago, it has served almost nothing\)/,
    );
  });

  it('a confident model cannot lift it above 60', () => {
    const v = decideVerdict({ evidence: young(5, 1), model: model(true, [], 99) }, cfg);
    expect(v).toMatchObject({ outcome: 'inconclusive', promote: true, decidedBy: 'model' });
    expect(v.confidence).toBeLessThanOrEqual(60);
    expect(v.analysis).toMatch(/^Promote with low confidence: the evidence is thin/);
  });

  it('no traffic (weight 0) is thin however long the canary ran; errors in a young canary still reject', () => {
    const quiet: Finding = {
      id: asEvidenceId('traffic:canary:none'),
      kind: 'no-traffic',
      side: 'canary',
      severity: 'info',
      hard: false,
      title: 'no traffic',
    };
    expect(decideVerdict({ evidence: { ...young(3600, 500), findings: [quiet] } }, cfg)).toMatchObject({
      outcome: 'inconclusive',
      promote: true,
    });
    expect(decideVerdict({ evidence: { ...young(5, 1), findings: [softError] } }, cfg)).toMatchObject({
      outcome: 'reject',
      promote: false,
    });
    expect(decideVerdict({ evidence: young(600, 300) }, cfg)).toMatchObject({ outcome: 'promote', promote: true });
  });
});

describe('decideVerdict (the policy table)', () => {
  it('hard failure + model says promote → promote false, the model is overruled', () => {
    const v = decideVerdict({ evidence: evidence([crash]), model: model(true) }, cfg);
    expect(v).toMatchObject({ promote: false, decidedBy: 'evidence-over-model', evidenceIds: [crash.id] });
    expect(v.disagreement).toMatch(/said promote/);
  });
  it('hard failure + model agrees → promote false with the model explanation', () => {
    const v = decideVerdict({ evidence: evidence([crash]), model: model(false, [crash.id]) }, cfg);
    expect(v).toMatchObject({ promote: false, decidedBy: 'evidence', rootCause: 'model root cause' });
  });
  it('hard failure without a model → promote false from the evidence, explained', () => {
    const v = decideVerdict({ evidence: evidence([crash]) }, cfg);
    expect(v.promote).toBe(false);
    expect(v.rootCause).toContain('CrashLoopBackOff');
    expect(v.remediation).not.toBe('none required');
  });
  it('hard failure + model unavailable → still promote false (decisive evidence)', () => {
    const v = decideVerdict({ evidence: evidence([crash]), model: { error: new DependencyError('llm', '429') } }, cfg);
    expect(v.promote).toBe(false);
  });
  it("clean + model promote → promote true; the model may lower the evidence's confidence, never raise it", () => {
    const fromEvidence = decideVerdict({ evidence: evidence() }, cfg).confidence;
    expect(fromEvidence).toBe(82);
    expect(decideVerdict({ evidence: evidence(), model: model(true, [], 99) }, cfg)).toMatchObject({
      outcome: 'promote',
      promote: true,
      confidence: 82,
      decidedBy: 'model',
    });
    expect(decideVerdict({ evidence: evidence(), model: model(true, [], 40) }, cfg)).toMatchObject({
      promote: true,
      confidence: 40,
    });
  });
  it("a rejection keeps the evidence's confidence; a model that agrees may only lower it", () => {
    expect(decideVerdict({ evidence: evidence([crash]) }, cfg).confidence).toBe(95);
    expect(decideVerdict({ evidence: evidence([crash]), model: model(false, [crash.id], 70) }, cfg).confidence).toBe(
      70,
    );
    expect(decideVerdict({ evidence: evidence([crash]), model: model(false, [crash.id], 100) }, cfg).confidence).toBe(
      95,
    );
  });
  it('clean + model veto citing evidence that exists → promote false', () => {
    const e = evidence([{ ...softError, severity: 'warning' }]);
    expect(decideVerdict({ evidence: e, model: model(false, [softError.id]) }, cfg)).toMatchObject({
      promote: false,
      decidedBy: 'model-veto',
    });
  });
  it('clean + model veto citing only stable-side or info evidence → promote true (no canary problem cited)', () => {
    const e = evidence([
      { ...softError, id: asEvidenceId('pod:s-1:app:restarts'), side: 'stable', severity: 'warning' },
      { ...softError, id: asEvidenceId('traffic:canary:none'), severity: 'info' },
    ]);
    expect(
      decideVerdict({ evidence: e, model: model(false, ['pod:s-1:app:restarts', 'traffic:canary:none']) }, cfg),
    ).toMatchObject({ promote: true, decidedBy: 'evidence-over-unfounded-veto' });
  });
  it('clean + model veto citing nothing that exists → promote true and the disagreement is reported', () => {
    const v = decideVerdict({ evidence: evidence(), model: model(false, ['made-up-id']) }, cfg);
    expect(v).toMatchObject({ promote: true, decidedBy: 'evidence-over-unfounded-veto' });
    expect(v.disagreement).toContain('made-up-id');
  });
  it('clean + no model → promote true from the evidence', () => {
    expect(decideVerdict({ evidence: evidence() }, cfg)).toMatchObject({ promote: true, decidedBy: 'evidence' });
  });
  it('clean + model unavailable → promote true from the evidence (configurable)', () => {
    const v = decideVerdict({ evidence: evidence(), model: { error: new DependencyError('llm', 'HTTP 500') } }, cfg);
    expect(v.promote).toBe(true);
    expect(v.modelError).toContain('500');
  });
  it('metrics that Prometheus failed to deliver: a rejection stands, a promotion is a prometheus dependency error', () => {
    const incomplete = (findings: Finding[] = []): Evidence => {
      const e = evidence(findings);
      e.metrics.failure = 'Prometheus failed 2 of 5 metric queries (latency_p99)';
      return e;
    };
    expect(decideVerdict({ evidence: incomplete([crash]), model: model(true) }, cfg)).toMatchObject({ promote: false });
    for (const input of [
      { evidence: incomplete() },
      { evidence: incomplete(), model: model(true) },
      { evidence: incomplete(), model: model(false) },
    ]) {
      expect(() => decideVerdict(input, cfg)).toThrow(DependencyError);
      expect(() => decideVerdict(input, cfg)).toThrow(/^prometheus: /);
    }
  });

  it('model unavailable with ON_MODEL_UNAVAILABLE=error → a dependency error, never a verdict', () => {
    expect(() =>
      decideVerdict(
        { evidence: evidence(), model: { error: new DependencyError('llm', 'HTTP 500') } },
        { onModelUnavailable: 'error' },
      ),
    ).toThrow(DependencyError);
  });
  it('suspect + model unavailable → promote false from the evidence (a rejection needs no model)', () => {
    expect(
      decideVerdict({ evidence: evidence([softError]), model: { error: new DependencyError('llm', 'HTTP 500') } }, cfg),
    ).toMatchObject({ promote: false, decidedBy: 'evidence' });
  });
  it('suspect + no model → promote false from the evidence alone', () => {
    expect(decideVerdict({ evidence: evidence([softError]) }, cfg)).toMatchObject({
      promote: false,
      evidenceIds: [softError.id],
    });
  });
  it('suspect + model promote → promote false: the model may veto, never promote a rejection', () => {
    const v = decideVerdict({ evidence: evidence([softError]), model: model(true, [], 99) }, cfg);
    expect(v).toMatchObject({ promote: false, decidedBy: 'evidence-over-model', evidenceIds: [softError.id] });
    expect(v.disagreement).toMatch(/canary-only errors/);
  });
  it('confidence is always an integer 0..100', () => {
    const v = decideVerdict({ evidence: evidence(), model: model(true, [], 87.6) }, cfg);
    expect(Number.isInteger(v.confidence)).toBe(true);
  });
});

describe('root cause from the logs', () => {
  it('names the deepest Caused by of a Java chain when a crash loop is the hard failure', () => {
    const e = evidence([crash]);
    e.logs.signatures = [
      {
        id: 'sig-1',
        template: 'UnsatisfiedDependencyException <*>',
        severity: 'error',
        errorLike: true,
        kind: 'exception',
        canary: { count: 1, perThousand: 40 },
        stable: { count: 0, perThousand: 0 },
        canaryOnly: true,
        examples: [
          "org.springframework.beans.factory.UnsatisfiedDependencyException: Error creating bean\n\tat a.b.C.d(C.java:1)\nCaused by: java.lang.IllegalArgumentException: Could not resolve placeholder 'LEDGER_API_URL'\n\tat x.y.Z(Z.java:2)",
        ],
      },
    ];
    expect(decideVerdict({ evidence: e }, cfg).rootCause).toContain("Could not resolve placeholder 'LEDGER_API_URL'");
  });
});

describe('decideVerdict with several models (LLM_MODELS)', () => {
  const named = (name: string, m: { result: ModelDiagnosis }) => ({ result: { ...m.result, modelName: name } });
  const warning = { ...softError, severity: 'warning' as const };

  it('a hard failure is rejected whatever the models vote; each vote is kept, with the rationale', () => {
    const v = decideVerdict(
      { evidence: evidence([crash]), models: [named('a', model(true)), named('b', model(false, [crash.id], 80))] },
      cfg,
    );
    expect(v).toMatchObject({ promote: false, decidedBy: 'evidence-over-model', confidence: 80 });
    expect(v.votes?.map((x) => [x.modelName, x.diagnosis?.promote])).toEqual([
      ['a', true],
      ['b', false],
    ]);
    expect(v.disagreement).toMatch(/the model \(a\) said promote/);
    expect(v.votingRationale).toMatch(/^2 models asked: a said promote .*; b said reject .*no model vote can promote/);
  });

  it('a veto counts when it cites evidence of a canary problem, even against another model; confidence capped', () => {
    const v = decideVerdict(
      {
        evidence: evidence([warning]),
        models: [named('a', model(true, [], 95)), named('b', model(false, [warning.id], 95))],
      },
      cfg,
    );
    expect(v).toMatchObject({ promote: false, decidedBy: 'model-veto', evidenceIds: [warning.id] });
    expect(v.confidence).toBeLessThanOrEqual(60);
    expect(v.disagreement).toMatch(/the model \(a\) said promote; the model \(b\) vetoed/);
  });

  it('models that agree on a clean canary promote with the lowest confidence', () => {
    const v = decideVerdict(
      { evidence: evidence(), models: [named('a', model(true, [], 90)), named('b', model(true, [], 70))] },
      cfg,
    );
    expect(v).toMatchObject({ promote: true, decidedBy: 'model', confidence: 70 });
    expect(v.votingRationale).toMatch(/agrees with the clean evidence/);
  });

  it('disagreement on a clean canary without a founded veto: promote, said, confidence at most 60', () => {
    const v = decideVerdict(
      { evidence: evidence(), models: [named('a', model(true, [], 90)), named('b', model(false, ['made-up'], 20))] },
      cfg,
    );
    expect(v).toMatchObject({ promote: true, decidedBy: 'evidence-over-unfounded-veto' });
    expect(v.confidence).toBeLessThanOrEqual(60);
    expect(v.disagreement).toMatch(/the model \(a\) said promote; the model \(b\) advised against/);
  });

  it('one model failing does not fail the analysis, even with onModelUnavailable=error; all failing does', () => {
    const strict = { onModelUnavailable: 'error' as const };
    const failed = { error: new DependencyError('llm', 'HTTP 500'), modelName: 'a', executionTimeMs: 12 };
    const v = decideVerdict({ evidence: evidence(), models: [failed, named('b', model(true))] }, strict);
    expect(v).toMatchObject({ promote: true, decidedBy: 'model' });
    expect(v.votes?.[0]).toMatchObject({ modelName: 'a', executionTimeMs: 12, error: 'llm: HTTP 500' });
    expect(v.votingRationale).toMatch(/a gave no answer/);
    expect(() =>
      decideVerdict(
        { evidence: evidence(), models: [failed, { error: new DependencyError('llm', 'timeout'), modelName: 'b' }] },
        strict,
      ),
    ).toThrow(/a: llm: HTTP 500; b: llm: timeout/);
  });
});

// From the survivors of `pnpm mutation` on the policy: what an assessment lists, and the reasons without a hint.
describe('assessEvidence: ids and reasons', () => {
  it('lists the findings behind a failure or a suspicion, and their titles as reasons', () => {
    const other: Finding = { ...softError, id: asEvidenceId('log:sig-2'), title: 'canary-only error: timeout' };
    expect(assessEvidence(evidence([crash, softError]))).toEqual({
      outcome: 'fail',
      findingIds: [crash.id],
      reasons: [crash.title],
    });
    expect(assessEvidence(evidence([softError, other]))).toEqual({
      outcome: 'suspect',
      findingIds: [softError.id, other.id],
      reasons: [softError.title, other.title],
    });
    expect(assessEvidence(evidence())).toEqual({ outcome: 'pass', findingIds: [], reasons: [] });
  });

  it('a critical canary finding that is not hard makes the canary suspect; a warning does not', () => {
    expect(assessEvidence(evidence([{ ...softError, severity: 'critical' }])).outcome).toBe('suspect');
    expect(assessEvidence(evidence([{ ...softError, severity: 'warning' }])).outcome).toBe('pass');
  });

  it('absent evidence cites nothing and gives its reason; without a hint it says the namespace has no other pods', () => {
    const noCanary = assessEvidence({ ...evidence(), pods: { canary: [], stable: [pod('s-1')] } });
    expect(noCanary).toMatchObject({ outcome: 'absent', findingIds: [] });
    expect(noCanary.reasons).toEqual([
      'no pod in namespace shop matches canarySelector role=canary; the namespace has no other pods',
    ]);
    const noStable = assessEvidence({ ...evidence(), pods: { canary: [pod('c-1')], stable: [] } });
    expect(noStable).toMatchObject({ outcome: 'absent', findingIds: [] });
    expect(noStable.reasons).toEqual([
      'no pod in namespace shop matches stableSelector role=stable; the namespace has no pods outside the canary; without stable pods there is nothing to compare the canary with',
    ]);
  });

  it('thin evidence cites nothing and gives how thin as its reason', () => {
    const young = {
      ...evidence(),
      pods: { canary: [{ ...pod('c-1'), createdAt: '2026-11-21T23:59:55Z' }], stable: [pod('s-1')] },
    };
    const a = assessEvidence(young);
    expect(a).toMatchObject({ outcome: 'thin', findingIds: [] });
    expect(a.reasons).toEqual([a.inconclusive?.reason]);
  });
});
