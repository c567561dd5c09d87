import { describe, expect, it } from 'vitest';
import type { LogSignature } from '@aiops/contracts';
import { diffLogSignatures, isCanaryElevated, logFindings, type LogEvent, type LogEventKind } from '@aiops/evidence';

// The log diff decides which canary errors become findings (and which of those are hard failures), and what of the
// raw text reaches the model: these pin its ranking, its rates and its bounds through the public functions.
const event = (message: string, kind: LogEventKind, over: Partial<LogEvent> = {}): LogEvent => ({
  message,
  kind,
  frames: [],
  raw: message,
  ...over,
});
const times = (n: number, make: (i: number) => LogEvent): LogEvent[] => Array.from({ length: n }, (_, i) => make(i));
const noise = (n: number): LogEvent[] => times(n, (i) => event(`served request ${i} fine`, 'info'));
const options = { maxSignatures: 20, examplesPerSignature: 3, maxExampleChars: 200, redact: (s: string) => s };
const diff = (canary: LogEvent[], stable: LogEvent[], over: Partial<typeof options> = {}) =>
  diffLogSignatures({ canary, stable }, { ...options, ...over });
const byTemplate = (signatures: LogSignature[], text: string): LogSignature | undefined =>
  signatures.find((s) => s.template.includes(text));

describe('diffLogSignatures: rates and counts', () => {
  it('rates each side per thousand of its own lines, to two decimals, and 0 for an empty side', () => {
    const canary = [...noise(2), event('database unreachable', 'error')];
    const d = diff(canary, []);
    const sig = byTemplate(d.signatures, 'database unreachable');
    expect(sig?.canary).toEqual({ count: 1, perThousand: 333.33 });
    expect(sig?.stable).toEqual({ count: 0, perThousand: 0 });
    expect(sig?.canaryOnly).toBe(true);
    expect(d).toMatchObject({ canaryLines: 3, stableLines: 0, omitted: 0 });
  });

  it('keeps a 5xx-like error and an info line of the same text apart (the kind is part of the signature)', () => {
    const d = diff([event('GET /api', 'error'), event('GET /api', 'info')], [event('GET /api', 'info')]);
    expect(d.signatures.map((s) => [s.kind, s.canary.count, s.stable.count, s.canaryOnly])).toEqual([
      ['error', 1, 0, true],
      ['info', 1, 1, false],
    ]);
  });

  it('treats an event without a kind as info, and only panic/exception/oom/fatal/error as error-like', () => {
    const kinds: LogEventKind[] = ['panic', 'exception', 'oom', 'fatal', 'error', 'warning', 'info'];
    const canary = [
      ...kinds.map((k) => event(`${k} happened here`, k)),
      { message: 'no kind given', frames: [], raw: 'no kind given' },
    ];
    const d = diff(canary, []);
    const summary = Object.fromEntries(
      d.signatures.map((s): [string, [string, boolean]] => [s.kind ?? '', [s.severity, s.errorLike]]),
    );
    expect(summary).toEqual({
      panic: ['critical', true],
      oom: ['critical', true],
      fatal: ['critical', true],
      exception: ['error', true],
      error: ['error', true],
      warning: ['warning', false],
      info: ['info', false],
    });
    expect(byTemplate(d.signatures, 'no kind given')?.kind).toBe('info');
  });
});

describe('diffLogSignatures: ranking', () => {
  it('canary-only errors, then canary-elevated errors (highest ratio first), then shared errors, then the rest', () => {
    const canary = [
      ...noise(100),
      ...times(3, () => event('cache miss storm', 'warning')),
      ...times(4, (i) => event(`shared timeout ${i}`, 'error')),
      ...times(8, () => event('retrying payment call', 'error')),
      ...times(10, () => event('queue is full', 'error')),
      event('new failure in checkout', 'error'),
    ];
    const stable = [
      ...noise(100),
      ...times(4, (i) => event(`shared timeout ${i}`, 'error')),
      ...times(1, () => event('retrying payment call', 'error')),
      ...times(4, () => event('queue is full', 'error')),
    ];
    const order = diff(canary, stable).signatures.map((s) => s.template);
    const at = (text: string) => order.findIndex((t) => t.includes(text));
    // retrying: 8 vs 1 (ratio ~7.4); queue: 10 vs 4 (ratio ~2.3); shared: same rate.
    expect(at('new failure')).toBe(0);
    expect(at('retrying payment')).toBe(1);
    expect(at('queue is full')).toBe(2);
    expect(at('shared timeout')).toBe(3);
    expect(at('cache miss storm')).toBeGreaterThan(3);
    expect(order.map((t, i) => `sig-${i + 1}`)).toEqual(diff(canary, stable).signatures.map((s) => s.id));
  });

  it('within a tier: critical before error, then the higher canary rate, then the more frequent overall', () => {
    const canary = [
      ...times(2, () => event('connection refused by upstream', 'error')),
      event('out of memory in worker', 'oom'),
      ...times(3, () => event('disk quota exceeded', 'error')),
    ];
    const order = diff(canary, []).signatures.map((s) => s.template);
    expect(order[0]).toContain('out of memory');
    expect(order[1]).toContain('disk quota');
    expect(order[2]).toContain('connection refused');
    // Same tier, severity and canary rate: the one printed more often overall (both sides) comes first.
    const tail = diff(
      [event('alpha info line', 'info'), event('beta info line here', 'info')],
      [event('beta info line here', 'info')],
    ).signatures.map((s) => s.template);
    expect(tail[0]).toContain('beta');
  });
});

describe('diffLogSignatures: ranking, the finer points', () => {
  it('orders canary-elevated errors by their ratio to stable, not by their canary rate', () => {
    const canary = [
      ...noise(100),
      ...times(20, () => event('pool exhausted', 'error')),
      ...times(10, () => event('lock wait timeout', 'error')),
      ...times(6, () => event('stale read', 'error')),
    ];
    const stable = [
      ...noise(100),
      ...times(9, () => event('pool exhausted', 'error')),
      ...times(2, () => event('lock wait timeout', 'error')),
      ...times(1, () => event('stale read', 'error')),
    ];
    expect(
      diff(canary, stable)
        .signatures.slice(0, 3)
        .map((s) => s.template),
    ).toEqual(['stale read', 'lock wait timeout', 'pool exhausted']);
  });

  it('ranks with the elevation ratio it is given: below it, an error is ranked as shared', () => {
    const canary = [
      ...noise(100),
      ...times(6, () => event('lock wait timeout', 'error')),
      ...times(9, () => event('pool exhausted', 'error')),
    ];
    const stable = [
      ...noise(100),
      ...times(2, () => event('lock wait timeout', 'error')),
      ...times(9, () => event('pool exhausted', 'error')),
    ];
    const firstOf = (over: { elevatedRatio?: number; elevatedMinCount?: number }) =>
      diffLogSignatures({ canary, stable }, { ...options, ...over }).signatures[0]?.template;
    expect(firstOf({})).toBe('lock wait timeout');
    // Ratio 3 is not 4: both are shared errors, and the higher canary rate comes first.
    expect(firstOf({ elevatedRatio: 4 })).toBe('pool exhausted');
    expect(firstOf({ elevatedMinCount: 7 })).toBe('pool exhausted');
  });

  it('breaks a tie of rate by how often both sides printed it', () => {
    const canary = [event('alpha line', 'info'), event('beta line', 'info'), event('gamma line', 'info')];
    const stable = [event('beta line', 'info'), event('beta line', 'info'), event('gamma line', 'info')];
    expect(diff(canary, stable).signatures.map((s) => s.template)).toEqual(['beta line', 'gamma line', 'alpha line']);
  });

  it('never calls an error only stable printed canary-only, and makes no finding of it', () => {
    const lockWaits = (n: number) => times(n, () => event('lock wait timeout', 'error'));
    const d = diff(
      [...noise(10), ...lockWaits(6)],
      [...noise(10), ...lockWaits(2), event('stable-only failure', 'error')],
    );
    expect(byTemplate(d.signatures, 'stable-only failure')).toMatchObject({ canaryOnly: false, canary: { count: 0 } });
    // Ranked as a shared error: after the canary-elevated one.
    expect(d.signatures.map((s) => s.template).slice(0, 2)).toEqual(['lock wait timeout', 'stable-only failure']);
    expect(logFindings(d).map((f) => f.title)).toEqual([expect.stringContaining('lock wait timeout')]);
  });
});

describe('diffLogSignatures: what it keeps of the text', () => {
  it('keeps canary examples first, up to the limit, redacted and cut at maxExampleChars', () => {
    const long = `boom ${'x'.repeat(300)}`;
    const canary = times(4, (i) => event('payment failed', 'error', { raw: `canary #${i} password=hunter2 ${long}` }));
    const stable = [event('payment failed', 'error', { raw: 'stable example' })];
    const sig = diff(canary, stable, {
      examplesPerSignature: 2,
      maxExampleChars: 100,
      redact: (s) => s.replace(/hunter2/g, '[REDACTED]'),
    }).signatures[0];
    expect(sig?.examples).toHaveLength(2);
    expect(sig?.examples[0]).toMatch(/^canary #0 password=\[REDACTED\] boom x+…$/);
    expect(sig?.examples[0]).toHaveLength(100);
    expect(sig?.examples[1]).toMatch(/^canary #1 /);
    // No examples asked for, none kept (a negative count is none, not an error).
    expect(diff(canary, stable, { examplesPerSignature: 0 }).signatures[0]?.examples).toEqual([]);
    expect(diff(canary, stable, { examplesPerSignature: -1 }).signatures[0]?.examples).toEqual([]);
  });

  it('shows stable examples when the canary has too few', () => {
    const sig = diff([event('payment failed', 'error', { raw: 'c' })], [event('payment failed', 'error', { raw: 's' })])
      .signatures[0];
    expect(sig?.examples).toEqual(['c', 's']);
  });

  it('keeps an example whole up to maxExampleChars even when the raw text is longer', () => {
    const raw = `payment failed ${'y'.repeat(500)}`;
    const sig = diff([event('payment failed', 'error', { raw })], [], { maxExampleChars: 400 }).signatures[0];
    expect(sig?.examples[0]).toBe(`${raw.slice(0, 399)}…`);
    expect(
      diff([event('payment failed', 'error', { raw: 'short' })], [], { maxExampleChars: 5 }).signatures[0]?.examples,
    ).toEqual(['short']);
  });

  it('redacts and bounds the template, and takes frames from the first event that has them', () => {
    const message = `secret sauce ${'z'.repeat(700)}`;
    const frames = Array.from({ length: 12 }, (_, i) => `app/f${i}.go:${i + 1}`);
    const sig = diff(
      [
        event(message, 'error'),
        event(message, 'error', { frames }),
        event(message, 'error', { frames: ['other.go:1'] }),
      ],
      [],
      { redact: (s) => s.replace('sauce', '[REDACTED]') },
    ).signatures[0];
    expect(sig?.template).toMatch(/^secret \[REDACTED\] z+…$/);
    expect(sig?.template).toHaveLength(500);
    expect(sig?.frames).toEqual(frames.slice(0, 10));
    expect(diff([event('no frames at all', 'error')], []).signatures[0]).not.toHaveProperty('frames');
  });

  it("keeps the cause the canary printed (redacted), never stable's", () => {
    const withCause = (cause: string) => event('handler crashed', 'exception', { cause });
    const d = diff(
      [event('handler crashed', 'exception'), withCause('secret=hunter2 at a.go:1')],
      [withCause('stable')],
      {
        redact: (s) => s.replace('hunter2', '[REDACTED]'),
      },
    );
    expect(d.signatures[0]?.cause).toBe('secret=[REDACTED] at a.go:1');
    expect(diff([event('handler crashed', 'exception')], [withCause('stable')]).signatures[0]).not.toHaveProperty(
      'cause',
    );
  });

  it('keeps the first cause the canary printed, whatever later canary events carry', () => {
    const crashed = (cause?: string) => event('handler crashed', 'exception', cause ? { cause } : {});
    const d = diff([crashed('first cause'), crashed(), crashed('second cause')], [crashed('stable cause')]);
    expect(d.signatures[0]?.cause).toBe('first cause');
  });

  it('keeps at most maxSignatures, counts the rest as omitted, and none for a negative bound', () => {
    const canary = [
      event('one thing failed', 'error'),
      event('another thing', 'info'),
      event('a third kind', 'warning'),
    ];
    expect(diff(canary, [], { maxSignatures: 2 })).toMatchObject({ omitted: 1 });
    expect(diff(canary, [], { maxSignatures: 2 }).signatures.map((s) => s.id)).toEqual(['sig-1', 'sig-2']);
    expect(diff(canary, [], { maxSignatures: -1 })).toMatchObject({ signatures: [], omitted: 3 });
  });
});

describe('isCanaryElevated', () => {
  const sig = (canary: number, stable: number, over: Partial<LogSignature> = {}): LogSignature => ({
    id: 'sig-1',
    template: 't',
    severity: 'error',
    errorLike: true,
    kind: 'error',
    canary: { count: canary, perThousand: canary },
    stable: { count: stable, perThousand: stable },
    canaryOnly: stable === 0,
    examples: [],
    ...over,
  });
  it('needs at least minCount canary events and at least ratio times the stable rate', () => {
    expect(isCanaryElevated(sig(3, 1))).toBe(true);
    expect(isCanaryElevated(sig(2, 1))).toBe(false);
    expect(isCanaryElevated(sig(6, 3))).toBe(true);
    expect(isCanaryElevated(sig(5, 3))).toBe(false);
    expect(isCanaryElevated(sig(4, 1), 4, 4)).toBe(true);
    expect(isCanaryElevated(sig(4, 1), 5, 4)).toBe(false);
    expect(isCanaryElevated(sig(4, 1), 2, 5)).toBe(false);
  });
  it('is never true for a non-error line or a canary-only one (that is its own tier)', () => {
    expect(isCanaryElevated(sig(9, 1, { errorLike: false }))).toBe(false);
    expect(isCanaryElevated(sig(9, 0))).toBe(false);
  });
});

describe('logFindings', () => {
  const findingsOf = (canary: LogEvent[], stable: LogEvent[], opts = {}) =>
    logFindings(diff(canary, stable), opts).map((f) => ({ kind: f.kind, hard: f.hard, severity: f.severity }));

  it('a canary-only panic or exception is a hard failure; a canary-only error or oom line is not', () => {
    expect(findingsOf([event('panic: boom', 'panic')], [])).toEqual([
      { kind: 'panic', hard: true, severity: 'critical' },
    ]);
    expect(findingsOf([event('NullPointerException in handler', 'exception')], [])).toEqual([
      { kind: 'exception', hard: true, severity: 'critical' },
    ]);
    expect(findingsOf([event('upstream said no', 'error')], [])).toEqual([
      { kind: 'error-signature', hard: false, severity: 'error' },
    ]);
    // An OOM line is critical by its severity, but not hard on its own.
    expect(findingsOf([event('out of memory', 'oom')], [])).toEqual([
      { kind: 'error-signature', hard: false, severity: 'critical' },
    ]);
  });

  it('an elevated panic is a soft critical finding; shared or non-error lines give none', () => {
    const panics = (n: number) => times(n, () => event('panic: boom', 'panic'));
    expect(findingsOf([...noise(10), ...panics(6)], [...noise(10), ...panics(1)])).toEqual([
      { kind: 'panic', hard: false, severity: 'critical' },
    ]);
    expect(findingsOf([...noise(10), ...panics(2)], [...noise(10), ...panics(2)])).toEqual([]);
    expect(findingsOf([event('only a warning', 'warning')], [])).toEqual([]);
  });

  it('passes its elevation thresholds on', () => {
    const errors = (n: number) => times(n, () => event('upstream said no', 'error'));
    const canary = [...noise(10), ...errors(4)];
    const stable = [...noise(10), ...errors(1)];
    expect(findingsOf(canary, stable)).toHaveLength(1);
    expect(findingsOf(canary, stable, { elevatedMinCount: 5 })).toEqual([]);
    expect(findingsOf(canary, stable, { elevatedRatio: 5 })).toEqual([]);
  });

  it('cites the signature and gives its frames and first example as detail', () => {
    const d = diff([event('panic: boom', 'panic', { frames: ['a.go:1', 'b.go:2'], raw: 'panic: boom\nstack' })], []);
    const [f] = logFindings(d);
    expect(f?.id).toBe('log:sig-1');
    expect(f?.side).toBe('canary');
    expect(f?.detail).toBe('frames: a.go:1, b.go:2\npanic: boom\nstack');
    expect(f?.title).toContain(': boom');
    expect(f?.title).not.toContain('panic: boom');
    // One example only, however many the signature keeps.
    const [two] = logFindings(
      diff([event('boom', 'error', { raw: 'boom 1' }), event('boom', 'error', { raw: 'boom 2' })], []),
    );
    expect(two?.detail).toBe('boom 1');
    const [bare] = logFindings(diff([event('upstream said no', 'error')], [], { examplesPerSignature: 0 }));
    expect(bare).not.toHaveProperty('detail');
  });
});

describe('logFindings: titles', () => {
  it('says what the signature is and how often, and strips only a leading panic or fatal error prefix', () => {
    const titles = (canary: LogEvent[], stable: LogEvent[] = []) =>
      logFindings(diff(canary, stable)).map((f) => f.title);
    expect(titles([event('upstream said no', 'error')])).toEqual([
      'canary-only error (1 events, 1000.0/1k): upstream said no',
    ]);
    expect(titles([event('out of memory', 'oom')])).toEqual([
      'canary-only out-of-memory error (1 events, 1000.0/1k): out of memory',
    ]);
    expect(titles([event('fatal error: all goroutines are asleep', 'fatal')])).toEqual([
      'canary-only error (1 events, 1000.0/1k): all goroutines are asleep',
    ]);
    expect(titles([event('worker recovered: panic: boom', 'error')])).toEqual([
      'canary-only error (1 events, 1000.0/1k): worker recovered: panic: boom',
    ]);
  });
});
