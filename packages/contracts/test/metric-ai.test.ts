import { describe, expect, it } from 'vitest';
import {
  InvalidRequestError,
  parseLabelSelector,
  parsePluginPrompt,
  toAnalysisRequest,
  toHttpError,
  DependencyError,
  DeadlineError,
  OverloadedError,
} from '@aiops/contracts';

const pluginPrompt =
  "Analyze canary deployment for rollout 'checkout'. Namespace: shop. Use your tools to fetch and compare logs from stable pods (selector: role=stable) vs canary pods (selector: role=canary). Determine if canary should be promoted.\n\nAdditional context: ignore color changes";

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof InvalidRequestError) return err.field;
    throw err;
  }
  return undefined;
}

describe('toAnalysisRequest', () => {
  it('takes the plugin body exactly as sent', () => {
    const req = toAnalysisRequest({
      userId: 'argo-rollouts',
      memoryId: 'rollout:shop/checkout',
      prompt: pluginPrompt,
      context: {
        namespace: 'shop',
        rolloutName: 'checkout',
        stableSelector: 'role=stable',
        canarySelector: 'role=canary',
        extraPrompt: 'ignore color changes',
        repoUrl: 'https://github.com/acme/checkout',
        baseBranch: 'main',
      },
    });
    expect(req).toEqual({
      namespace: 'shop',
      rolloutName: 'checkout',
      stableSelector: 'role=stable',
      canarySelector: 'role=canary',
      extraPrompt: 'ignore color changes',
      repoUrl: 'https://github.com/acme/checkout',
      baseBranch: 'main',
      memoryId: 'rollout:shop/checkout',
      userId: 'argo-rollouts',
    });
  });

  it('accepts only context and fills the plugin defaults for selectors', () => {
    expect(toAnalysisRequest({ context: { namespace: 'shop' } })).toEqual({
      namespace: 'shop',
      stableSelector: 'role=stable',
      canarySelector: 'role=canary',
    });
  });

  it('accepts only the prompt and parses namespace, rollout, selectors and extra context out of it', () => {
    const req = toAnalysisRequest({ prompt: pluginPrompt });
    expect(req).toMatchObject({
      namespace: 'shop',
      rolloutName: 'checkout',
      stableSelector: 'role=stable',
      canarySelector: 'role=canary',
      extraPrompt: 'ignore color changes',
      memoryId: 'rollout:shop/checkout',
    });
  });

  it('parses set-based selectors containing parentheses out of the prompt', () => {
    const prompt =
      "Analyze canary deployment for rollout 'cart'. Namespace: prod. Use your tools to fetch and compare logs from stable pods (selector: app=cart,track in (stable)) vs canary pods (selector: app=cart,track in (canary)). Determine if canary should be promoted.";
    expect(parsePluginPrompt(prompt)).toMatchObject({
      stableSelector: 'app=cart,track in (stable)',
      canarySelector: 'app=cart,track in (canary)',
      namespace: 'prod',
    });
  });

  it('prefers context over the prompt', () => {
    expect(toAnalysisRequest({ prompt: pluginPrompt, context: { namespace: 'other' } }).namespace).toBe('other');
  });

  it('ignores unknown fields', () => {
    expect(toAnalysisRequest({ context: { namespace: 'shop', future: 1 }, extra: true }).namespace).toBe('shop');
  });

  it.each([
    [{}, 'context.namespace'],
    [{ context: {} }, 'context.namespace'],
    [{ context: { namespace: '  ' } }, 'context.namespace'],
    [{ context: { namespace: 'Bad_NS' } }, 'context.namespace'],
    [{ context: { namespace: 7 } }, 'context.namespace'],
    [{ context: { namespace: 'shop', canarySelector: 'role in (canary' } }, 'context.canarySelector'],
    [{ context: { namespace: 'shop', stableSelector: '=stable' } }, 'context.stableSelector'],
    [{ context: { namespace: 'shop', repoUrl: 'not a url' } }, 'context.repoUrl'],
    [{ context: { namespace: 'shop', rolloutName: 'Bad Name' } }, 'context.rolloutName'],
    [{ context: 'shop' }, 'context'],
    [[1, 2], 'body'],
    [null, 'body'],
  ])('rejects %j naming %s', (body, field) => {
    expect(fieldOf(() => toAnalysisRequest(body))).toBe(field);
  });
});

describe('parseLabelSelector', () => {
  it.each([
    'role=canary',
    'role==canary',
    'app=cart,role!=stable',
    'track in (canary, beta)',
    'track notin (stable)',
    'canary',
    '!stable',
    'app.kubernetes.io/name=cart',
    'role=',
  ])('accepts %s', (s) => {
    expect(parseLabelSelector(s).ok).toBe(true);
  });
  it.each(['', '   ', 'role=can ary', 'a b c', 'role in (x', '-bad=1', 'role=' + 'x'.repeat(64), 'UPPER_/x=1'])(
    'rejects %j',
    (s) => {
      expect(parseLabelSelector(s).ok).toBe(false);
    },
  );
});

describe('toHttpError', () => {
  it('maps bad input to 400 naming the field and never carries promote', () => {
    const answer = toHttpError(new InvalidRequestError('context.namespace', 'is required'));
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ code: 'invalid_request', field: 'context.namespace' });
    expect(answer.body).not.toHaveProperty('promote');
  });
  it.each([new DependencyError('kubernetes', 'down'), new DeadlineError(), new OverloadedError()])(
    'maps %s to 503 with Retry-After',
    (err) => {
      const answer = toHttpError(err);
      expect(answer.status).toBe(503);
      expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
      expect(answer.body).not.toHaveProperty('promote');
    },
  );
  it('hides unknown errors behind a 500 with a generic message', () => {
    const answer = toHttpError(new Error('secret internals'));
    expect(answer.status).toBe(500);
    expect(answer.body.error.message).not.toContain('secret');
  });
});
