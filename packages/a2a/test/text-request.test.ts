import { describe, expect, it } from 'vitest';
import { parseTextRequest } from '@aiops/a2a';

describe('parseTextRequest', () => {
  it.each([
    ['is the canary of rollout checkout in shop healthy?', { rolloutName: 'checkout', namespace: 'shop' }],
    [
      'analyze rollout cart in namespace prod with canary selector app=cart,track=canary',
      { rolloutName: 'cart', namespace: 'prod', canarySelector: 'app=cart,track=canary' },
    ],
    [
      'Check rollout shop/checkout, stable selector "tier in (web,api)" and canary selector role=canary.',
      {
        namespace: 'shop',
        rolloutName: 'checkout',
        stableSelector: 'tier in (web,api)',
        canarySelector: 'role=canary',
      },
    ],
    [
      'diagnose pods with selector app=payments in namespace prod',
      { namespace: 'prod', canarySelector: 'app=payments' },
    ],
    [
      'rollout api in the payments namespace, repo https://github.com/acme/api base branch release-1',
      { rolloutName: 'api', namespace: 'payments', repoUrl: 'https://github.com/acme/api', baseBranch: 'release-1' },
    ],
  ])('%s', (text, expected) => {
    expect(parseTextRequest(text)).toEqual(expected);
  });

  it('reads the metric-ai plugin prompt when it is forwarded verbatim', () => {
    const prompt =
      "Analyze canary deployment for rollout 'checkout'. Namespace: shop. Use your tools to fetch and compare logs from stable pods (selector: role=stable) vs canary pods (selector: role=canary). Determine if canary should be promoted.\n\nAdditional context: ignore aesthetic changes";
    expect(parseTextRequest(prompt)).toMatchObject({
      rolloutName: 'checkout',
      namespace: 'shop',
      stableSelector: 'role=stable',
      canarySelector: 'role=canary',
      extraPrompt: 'ignore aesthetic changes',
    });
  });

  it('leaves out what the text does not say (no namespace → none)', () => {
    expect(parseTextRequest('is the canary of rollout checkout healthy?')).toEqual({ rolloutName: 'checkout' });
  });
});
