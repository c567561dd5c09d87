import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EvidenceIds, asEvidenceId, isPodProblemOf, parseEvidenceId, withoutPodNames } from '@aiops/contracts';

describe('evidence ids', () => {
  it('every constructor builds an id that parses back to its kind', () => {
    const built = [
      [EvidenceIds.logSignature('a1b2'), 'log', 'a1b2'],
      [EvidenceIds.accessLog('http_5xx_ratio'), 'logs', 'http_5xx_ratio'],
      [EvidenceIds.metric('latency_p99_ms'), 'metric', 'latency_p99_ms'],
      [EvidenceIds.podHealth('restarts'), 'k8s', 'restarts'],
      [EvidenceIds.containerProblem('cart-7f-x', 'app', 'crash-loop'), 'pod', 'cart-7f-x:app:crash-loop'],
      [EvidenceIds.podNotReady('cart-7f-x'), 'pod', 'cart-7f-x:not-ready'],
      [EvidenceIds.podState('canary', 'cart-7f-x'), 'pod', 'canary/cart-7f-x'],
      [EvidenceIds.noCanaryPods(), 'pods', 'canary:none'],
      [EvidenceIds.noCanaryTraffic(), 'traffic', 'canary:none'],
      [EvidenceIds.event('cart-7f-x', 'BackOff'), 'event', 'cart-7f-x:BackOff'],
      [EvidenceIds.eventAt(3), 'event', '3'],
      [EvidenceIds.rollout('cart'), 'rollout', 'cart'],
    ] as const;
    for (const [id, kind, name] of built) expect(parseEvidenceId(id)).toEqual({ id, kind, name });
  });

  it('a citation is read back trimmed; anything else is not an evidence id', () => {
    expect(parseEvidenceId('  log:a1b2 ')?.id).toBe('log:a1b2');
    for (const text of ['a1b2', 'log:', ':a1b2', 'finding:panic', 'log:a b', 'LOG:a1b2', ''])
      expect(parseEvidenceId(text), text).toBeUndefined();
    expect(() => asEvidenceId('finding:panic')).toThrow(/not an evidence id: "finding:panic"/);
    expect(asEvidenceId('metric:cpu')).toBe(EvidenceIds.metric('cpu'));
  });

  it('tells which pod a problem is about, and forgets replaced pod names', () => {
    const id = EvidenceIds.containerProblem('cart-7f-1', 'app', 'restarts');
    expect(isPodProblemOf(id, 'cart-7f-1')).toBe(true);
    expect(isPodProblemOf(id, 'cart-7f')).toBe(false);
    expect(isPodProblemOf(EvidenceIds.podState('canary', 'cart-7f-1'), 'cart-7f-1')).toBe(false);
    expect(withoutPodNames(id, ['cart-7f', 'cart-7f-1'])).toBe('pod:*:app:restarts');
  });
});

/**
 * The house rule as code: product sources never spell an evidence id themselves. The plugin's memoryId
 * (`rollout:<ns>/<name>`) is a history key, not an evidence id, and is the one allowed spelling.
 */
describe('no evidence id is concatenated outside contracts', () => {
  const root = join(import.meta.dirname, '..', '..', '..');
  const sourceDirs = ['apps', 'packages'].flatMap((top) =>
    readdirSync(join(root, top))
      .filter((name) => name !== 'testkit')
      .map((name) => join(root, top, name, 'src')),
  );
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return files(path);
      return path.endsWith('.ts') ? [path] : [];
    });
  const ID_LITERAL = /[`'"](?:log|logs|metric|k8s|pod|pods|traffic|event|rollout):(?!\$\{(?:request\.)?namespace\}\/)/;

  it('finds the sources it checks', () => {
    expect(sourceDirs.length).toBeGreaterThan(8);
  });

  const offendersIn = (checked: string[]): string[] =>
    checked
      .flatMap((file) =>
        readFileSync(file, 'utf8')
          .split('\n')
          .map((line, i) => ({ line, where: `${relative(root, file)}:${i + 1}` })),
      )
      .filter(({ line }) => !/^(\/\*\*|\*|\/\/)/.test(line.trim()) && ID_LITERAL.test(line))
      .map(({ where, line }) => `${where}: ${line.trim()}`);

  it.each(['evidence', 'metrics', 'agents', 'a2a'])('packages/%s/src spells no evidence id', (pkg) => {
    expect(offendersIn(files(join(root, 'packages', pkg, 'src')))).toEqual([]);
  });

  it('no other product source spells one either', () => {
    const others = sourceDirs
      .filter((dir) => !/packages[\\/](contracts|evidence|metrics|agents|a2a)[\\/]/.test(dir))
      .flatMap((dir) => {
        try {
          return files(dir);
        } catch {
          return [];
        }
      });
    const contracts = files(join(root, 'packages', 'contracts', 'src')).filter((f) => !f.endsWith('evidence-id.ts'));
    expect(offendersIn([...others, ...contracts])).toEqual([]);
  });
});
