/**
 * The root cause the evidence alone names (LLM_PROVIDER=none, or a rejection without a model): which canary log
 * line it quotes and how. Operators, the issue and the PR author read it. Written from the survivors of
 * `pnpm mutation` on the policy's explanation.
 */
import { describe, expect, it } from 'vitest';
import { EvidenceIds, type Evidence, type Finding, type LogSignature } from '@aiops/contracts';
import { decideVerdict } from '@aiops/evidence';
import { crashLoopOf, logSignature, runningPod } from './support/evidence-builders.js';

const pod = (name: string) => runningPod(name);

const crash = crashLoopOf('c-1');

const signature = logSignature;
function rootCause(findings: Finding[], signatures: LogSignature[]): string {
  const evidence: Evidence = {
    request: { namespace: 'shop', rolloutName: 'cart', stableSelector: 'role=stable', canarySelector: 'role=canary' },
    collectedAt: '2026-11-22T00:00:00Z',
    pods: { canary: [pod('c-1')], stable: [pod('s-1')] },
    logs: { canaryLines: 100, stableLines: 100, signatures, omitted: 0 },
    events: [],
    metrics: { source: 'kubernetes', comparisons: [], notes: [] },
    findings,
    notes: [],
  };
  return decideVerdict({ evidence }, { onModelUnavailable: 'evidence' }).rootCause;
}

describe('a hard failure that is no log line: the finding, its detail, and what the canary logs', () => {
  it('quotes the deepest Caused by of the most telling canary error, crashes before exceptions before errors', () => {
    const chain =
      'java.lang.IllegalStateException: boom\n\tat a.B(B.java:1)\nCaused by: java.lang.RuntimeException: outer\n' +
      '    Caused by: java.io.IOException: disk full\n\tat x.Y(Y.java:2)';
    const withDetail = { ...crash, detail: 'Back-off restarting failed container\nsecond line' };
    expect(
      rootCause(
        [withDetail],
        [
          signature('e', { kind: 'error', examples: ['db timeout after 5s'] }),
          signature('plain', { kind: undefined, examples: ['no kind said'] }),
          signature('x', { kind: 'exception', examples: [chain] }),
        ],
      ),
    ).toBe(
      `${crash.title} (Back-off restarting failed container); the canary logs: Caused by: java.io.IOException: disk full`,
    );
    expect(
      rootCause(
        [crash],
        [
          signature('x', { kind: 'exception', examples: ['IllegalStateException: boom'] }),
          signature('p', { kind: 'panic', examples: ['panic: nil map'] }),
        ],
      ),
    ).toBe(`${crash.title}; the canary logs: panic: nil map`);
  });

  it('an error without a kind ranks with errors, after fatal lines', () => {
    expect(
      rootCause(
        [crash],
        [
          signature('plain', { kind: undefined, examples: ['no kind said'] }),
          signature('f', { kind: 'fatal', examples: ['fatal: out of fds'] }),
        ],
      ),
    ).toBe(`${crash.title}; the canary logs: fatal: out of fds`);
  });

  it("takes the parser's cause when it found one, else the first line when there is no Caused by", () => {
    expect(rootCause([crash], [signature('c', { cause: 'nil pointer at main.go:12', examples: ['panic: x'] })])).toBe(
      `${crash.title}; the canary logs: nil pointer at main.go:12`,
    );
    expect(
      rootCause([crash], [signature('c', { examples: ['request failed\nretry (Caused by: inner) gave up'] })]),
    ).toBe(`${crash.title}; the canary logs: request failed`);
  });

  it('quotes only canary errors: not shared ones, not twice the stable rate exactly, not info lines', () => {
    const shared = signature('s', {
      kind: 'panic',
      canaryOnly: false,
      canary: { count: 4, perThousand: 40 },
      stable: { count: 4, perThousand: 20 },
      examples: ['panic: shared'],
    });
    const info = signature('i', { kind: 'panic', errorLike: false, severity: 'info', examples: ['panic mode: off'] });
    expect(rootCause([crash], [shared, info])).toBe(crash.title);
    const heavier = { ...shared, canary: { count: 4, perThousand: 40.5 } };
    expect(rootCause([crash], [heavier])).toBe(`${crash.title}; the canary logs: panic: shared`);
  });

  it('keeps both ends of a cause over 300 characters, and one of exactly 300 whole', () => {
    const long = `Head ${'a'.repeat(150)} middle ${'b'.repeat(150)} tail`;
    expect(rootCause([crash], [signature('l', { examples: [long] })])).toBe(
      `${crash.title}; the canary logs: ${long.slice(0, 90)} … ${long.slice(-200)}`,
    );
    const exactly = `E${'c'.repeat(298)}!`;
    expect(rootCause([crash], [signature('l', { examples: [exactly] })])).toBe(
      `${crash.title}; the canary logs: ${exactly}`,
    );
  });
});

describe('a log line as the failure: what it is and its innermost error', () => {
  const logFinding = (id: string, title: string): Finding => ({
    id: EvidenceIds.logSignature(id),
    kind: 'exception',
    side: 'canary',
    severity: 'critical',
    hard: true,
    title,
  });

  it('names an outer error type the cause does not repeat, and not one it does', () => {
    const title = 'canary-only exception (5 events, 50.0/1k): ServletException <*>';
    expect(
      rootCause(
        [logFinding('x', title)],
        [signature('x', { template: 'ServletException <*>', cause: 'NullPointerException at Cart.java:3' })],
      ),
    ).toBe('canary-only exception (5 events, 50.0/1k): ServletException: NullPointerException at Cart.java:3');
    expect(
      rootCause(
        [logFinding('x', title)],
        [signature('x', { template: 'ServletException <*>', cause: 'ServletException: bad input' })],
      ),
    ).toBe('canary-only exception (5 events, 50.0/1k): ServletException: bad input');
    expect(
      rootCause(
        [logFinding('x', title)],
        [signature('x', { template: 'request failed: IOException', cause: 'disk full' })],
      ),
    ).toBe('canary-only exception (5 events, 50.0/1k): disk full');
  });

  it('is the finding title when the parser found no cause, or the signature is not there', () => {
    const title = 'canary-only exception (5 events, 50.0/1k): TypeError <*>';
    expect(rootCause([logFinding('x', title)], [signature('x', { template: 'TypeError <*>' })])).toBe(title);
    expect(rootCause([logFinding('gone', title)], [signature('x', { cause: 'elsewhere' })])).toBe(title);
  });
});
