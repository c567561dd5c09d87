import { describe, expect, it } from 'vitest';
import { mayAnalyse } from '../src/index.js';

describe('mayAnalyse', () => {
  const grants = {
    'team-a': ['shop', 'cart'],
    'system:serviceaccount:ops:auditor': ['*'],
    nobody: [],
  };

  it('lets a caller analyse exactly the namespaces it is granted', () => {
    expect(mayAnalyse(grants, 'team-a', 'shop')).toBe(true);
    expect(mayAnalyse(grants, 'team-a', 'cart')).toBe(true);
    expect(mayAnalyse(grants, 'team-a', 'payments')).toBe(false);
  });

  it('matches namespaces whole and case-sensitively (no prefixes, no globs but *)', () => {
    expect(mayAnalyse(grants, 'team-a', 'sho')).toBe(false);
    expect(mayAnalyse(grants, 'team-a', 'shop-prod')).toBe(false);
    expect(mayAnalyse(grants, 'team-a', 'Shop')).toBe(false);
    expect(mayAnalyse(grants, 'team-a', '*')).toBe(false);
  });

  it('grants every namespace for *', () => {
    expect(mayAnalyse(grants, 'system:serviceaccount:ops:auditor', 'anything')).toBe(true);
  });

  it('refuses callers not listed, with an empty list, or named like an inherited property', () => {
    expect(mayAnalyse(grants, 'team-b', 'shop')).toBe(false);
    expect(mayAnalyse(grants, 'nobody', 'shop')).toBe(false);
    expect(mayAnalyse(grants, 'constructor', 'shop')).toBe(false);
    expect(mayAnalyse(grants, '__proto__', 'shop')).toBe(false);
    expect(mayAnalyse(grants, 'toString', 'shop')).toBe(false);
  });
});
