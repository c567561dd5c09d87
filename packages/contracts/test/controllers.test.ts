import { describe, expect, it } from 'vitest';
import {
  FLAGGER_HOLD_STATUS,
  FLAGGER_REJECT_STATUS,
  InvalidRequestError,
  toFlaggerAnalysisRequest,
  toFlaggerAnswer,
  toFlaggerPayload,
  toWebAnalysisRequest,
  toWebAnswer,
  type AnalysisOutcome,
  type FlaggerHook,
  type Outcome,
} from '../src/index.js';

function decided(outcome: Outcome, extra: { prLink?: string; thin?: string } = {}): AnalysisOutcome {
  const promote = outcome !== 'reject';
  return {
    outcome,
    answer: {
      analysis: promote ? 'The canary is as healthy as stable. Details follow.' : 'Do not promote: the canary panics.',
      rootCause: promote ? 'none' : 'panic: runtime error: invalid memory address or nil pointer dereference',
      remediation: promote ? 'none required' : 'check the nil map in cart/handler.go',
      promote,
      confidence: outcome === 'inconclusive' ? 40 : 95,
      ...(extra.prLink ? { prLink: extra.prLink } : {}),
    },
    verdict: {
      outcome,
      promote,
      confidence: 95,
      analysis: '',
      rootCause: '',
      remediation: '',
      decidedBy: 'evidence',
      evidenceIds: [],
      ...(outcome === 'inconclusive'
        ? { inconclusive: { kind: 'thin', reason: extra.thin ?? 'the canary has run 5 s' } }
        : {}),
    },
    evidence: {} as never,
    durationMs: 1,
  };
}

const absent: AnalysisOutcome = {
  outcome: 'inconclusive',
  absent: {
    kind: 'absent',
    absence: 'no-canary-pods',
    reason: 'no pod in namespace shop matches canarySelector app=cart',
  },
  evidence: {} as never,
  durationMs: 1,
};

describe('toWebAnalysisRequest', () => {
  it('selects each side by its pod-template hash, without the role defaults', () => {
    const request = toWebAnalysisRequest({
      namespace: 'shop',
      rolloutName: 'cart',
      canaryPodTemplateHash: '6d4c7b8f9c',
      stablePodTemplateHash: '5b7f9d6c4d',
    });
    expect(request).toMatchObject({
      namespace: 'shop',
      rolloutName: 'cart',
      canarySelector: 'rollouts-pod-template-hash=6d4c7b8f9c',
      stableSelector: 'rollouts-pod-template-hash=5b7f9d6c4d',
      memoryId: 'rollout:shop/cart',
      userId: 'argo-rollouts-web',
    });
  });

  it('keeps an explicit selector beside the hash, and reads the context key too', () => {
    const request = toWebAnalysisRequest({
      context: { namespace: 'shop', canarySelector: 'app=cart', canaryPodTemplateHash: 'abc123' },
    });
    expect(request.canarySelector).toBe('app=cart,rollouts-pod-template-hash=abc123');
    expect(request.stableSelector).toBe('role=stable');
  });

  it('refuses a hash that is not a label value, naming the field', () => {
    expect(() => toWebAnalysisRequest({ namespace: 'shop', stablePodTemplateHash: '{{args.stable-hash}}' })).toThrow(
      InvalidRequestError,
    );
    expect(() => toWebAnalysisRequest({ namespace: 'shop', stablePodTemplateHash: 7 })).toThrow(
      /stablePodTemplateHash/,
    );
  });
});

describe('toWebAnswer', () => {
  it('promote and reject carry promote; inconclusive never does', () => {
    expect(toWebAnswer(decided('promote'))).toMatchObject({ verdict: 'promote', promote: true, confidence: 95 });
    expect(toWebAnswer(decided('reject', { prLink: 'https://github.com/a/b/pull/1' }))).toMatchObject({
      verdict: 'reject',
      promote: false,
      prLink: 'https://github.com/a/b/pull/1',
    });
    const thin = toWebAnswer(decided('inconclusive'));
    expect(thin).toMatchObject({ verdict: 'inconclusive', inconclusive: { kind: 'thin' } });
    expect(thin).not.toHaveProperty('promote');
    const none = toWebAnswer(absent);
    expect(none).toMatchObject({ verdict: 'inconclusive', confidence: 0, inconclusive: { kind: 'absent' } });
    expect(none).not.toHaveProperty('promote');
    expect(none.analysis).toContain('no pod in namespace shop matches canarySelector app=cart');
  });
});

describe('toFlaggerAnswer', () => {
  const hooks: FlaggerHook[] = ['pre-rollout', 'rollout', 'confirm-promotion'];

  it('promote: 200 on every hook', () => {
    for (const hook of hooks)
      expect(toFlaggerAnswer(hook, { kind: 'outcome', outcome: decided('promote') }).status).toBe(200);
  });

  it('reject: a 4xx (never retried, counted) with one line naming the cause and the fix link', () => {
    for (const hook of hooks) {
      const answer = toFlaggerAnswer(hook, {
        kind: 'outcome',
        outcome: decided('reject', { prLink: 'https://github.com/a/b/pull/7' }),
      });
      expect(answer.status).toBe(FLAGGER_REJECT_STATUS);
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
      expect(answer.text).not.toContain('\n');
      expect(answer.text).toMatch(/^reject \(confidence 95\): panic: runtime error: invalid memory address/);
      expect(answer.text).toContain('https://github.com/a/b/pull/7');
    }
  });

  it('inconclusive (thin or absent) and a running analysis: confirm-promotion held, rollout hooks not failed', () => {
    for (const state of [
      { kind: 'outcome', outcome: decided('inconclusive') },
      { kind: 'outcome', outcome: absent },
      { kind: 'running' },
    ] as const) {
      const gate = toFlaggerAnswer('confirm-promotion', state);
      expect(gate.status).toBe(FLAGGER_HOLD_STATUS);
      expect(gate.text).toMatch(/^hold: /);
      for (const hook of ['pre-rollout', 'rollout'] as const) {
        const answer = toFlaggerAnswer(hook, state);
        expect(answer.status).toBeLessThanOrEqual(202);
        expect(answer.text).toMatch(/not counted against the canary/);
      }
    }
  });

  it('a long cause stays one bounded line', () => {
    const outcome = decided('reject');
    if (outcome.answer) outcome.answer.rootCause = `panic:\n${'x'.repeat(2000)}`;
    const answer = toFlaggerAnswer('rollout', { kind: 'outcome', outcome });
    expect(answer.text.length).toBeLessThanOrEqual(500);
    expect(answer.text).not.toContain('\n');
  });
});

describe('Flagger payload', () => {
  it('parses the CanaryWebhookPayload and takes extraPrompt/repoUrl from its metadata', () => {
    const payload = toFlaggerPayload({
      name: 'podinfo',
      namespace: 'test',
      phase: 'Progressing',
      checksum: '6d4c7b8f9c',
      metadata: { extraPrompt: 'ignore colours', repoUrl: 'https://github.com/acme/podinfo' },
    });
    const request = toFlaggerAnalysisRequest(payload, {
      canarySelector: 'app=podinfo',
      stableSelector: 'app=podinfo-primary',
    });
    expect(request).toMatchObject({
      namespace: 'test',
      canarySelector: 'app=podinfo',
      stableSelector: 'app=podinfo-primary',
      extraPrompt: 'ignore colours',
      repoUrl: 'https://github.com/acme/podinfo',
      memoryId: 'flagger:test/podinfo',
      userId: 'flagger',
    });
  });

  it('refuses a payload without a name, naming the field', () => {
    expect(() => toFlaggerPayload({ namespace: 'test' })).toThrow(/name/);
    expect(() => toFlaggerPayload({ name: 'Bad Name', namespace: 'test' })).toThrow(InvalidRequestError);
  });
});
