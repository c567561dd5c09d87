import { describe, expect, it } from 'vitest';
import type { Evidence, Finding, LogSignature, PodInfo } from '@aiops/contracts';
import { PLANTED_BUGS, plantedBugEvidence, plantedBugRequest, type PlantedBug } from '@aiops/testkit';
import { fixBranch, remediationKey } from '../src/pr-author/index.js';

// The dedupe key decides whether a measurement opens a new issue and PR or finds the existing ones: it must move
// with what identifies a failure (repository, namespace, rollout, canary revision, hard-failure kinds, top error
// template) and with nothing else.
const bug = PLANTED_BUGS[0] as PlantedBug;
const repo = { owner: 'acme', repo: bug.repo };
const base = (): Evidence => plantedBugEvidence(bug, plantedBugRequest(bug));
const keyOf = (evidence: Evidence, coordinates = repo): string => remediationKey(coordinates, evidence).key;

const signature = (over: Partial<LogSignature>): LogSignature => ({
  id: 'sig-x',
  template: 'error talking to <*>',
  severity: 'error',
  errorLike: true,
  kind: 'error',
  canary: { count: 5, perThousand: 50 },
  stable: { count: 5, perThousand: 50 },
  canaryOnly: false,
  examples: [],
  ...over,
});
const finding = (over: Partial<Finding>): Finding => ({
  id: 'pod:c:app:oom-killed' as Finding['id'],
  kind: 'oom-killed',
  side: 'canary',
  severity: 'critical',
  hard: true,
  title: 't',
  ...over,
});
const withSignatures = (signatures: LogSignature[]): Evidence => {
  const e = base();
  return { ...e, logs: { ...e.logs, signatures } };
};

describe('remediationKey', () => {
  it('is a stable 16-hex key with an 8-char short form and a hidden marker carrying it', () => {
    const k = remediationKey(repo, base());
    expect(k.key).toMatch(/^[0-9a-f]{16}$/);
    expect(k.shortKey).toBe(k.key.slice(0, 8));
    expect(k.marker).toBe(`<!-- aiops-agent:key=${k.key} -->`);
    expect(remediationKey(repo, base())).toEqual(k);
    expect(k).toMatchObject({ repository: `acme/${bug.repo}`, namespace: 'shop', rollout: bug.repo, revision: '7' });
  });

  it('ignores the case of the repository name, not the repository', () => {
    expect(keyOf(base(), { owner: 'ACME', repo: bug.repo.toUpperCase() })).toBe(keyOf(base()));
    expect(remediationKey({ owner: 'ACME', repo: 'Cart' }, base()).repository).toBe('acme/cart');
    expect(keyOf(base(), { owner: 'other', repo: bug.repo })).not.toBe(keyOf(base()));
  });

  it('changes with the namespace, the rollout and the canary revision', () => {
    const e = base();
    expect(keyOf({ ...e, request: { ...e.request, namespace: 'shop-2' } })).not.toBe(keyOf(e));
    expect(keyOf({ ...e, request: { ...e.request, rolloutName: 'other' } })).not.toBe(keyOf(e));
    expect(keyOf(plantedBugEvidence(bug, plantedBugRequest(bug), '8'))).not.toBe(keyOf(e));
  });

  it('changes with the hard-failure kinds and the top error template, not with their order or repetition', () => {
    const e = base();
    const oom = finding({});
    const withOom = { ...e, findings: [...e.findings, oom] };
    expect(keyOf(withOom)).not.toBe(keyOf(e));
    expect(remediationKey(repo, withOom).hardFailureKinds).toEqual(['oom-killed', 'panic']);
    expect(
      keyOf({ ...e, findings: [oom, ...e.findings, { ...oom, id: 'pod:d:app:oom-killed' as Finding['id'] }] }),
    ).toBe(keyOf(withOom));
    const sig = e.logs.signatures[0] as LogSignature;
    expect(keyOf(withSignatures([{ ...sig, template: 'panic: another bug' }]))).not.toBe(keyOf(e));
  });

  it('is not moved by soft findings, stable-side failures, rates, examples or non-error signatures', () => {
    const e = base();
    const k = keyOf(e);
    expect(keyOf({ ...e, findings: [...e.findings, finding({ hard: false, kind: 'restarts' })] })).toBe(k);
    expect(keyOf({ ...e, findings: [...e.findings, finding({ side: 'stable' })] })).toBe(k);
    const sig = e.logs.signatures[0] as LogSignature;
    expect(
      keyOf(
        withSignatures([
          signature({ errorLike: false, kind: 'info', canaryOnly: true, template: 'GET /healthz' }),
          { ...sig, canary: { count: 99, perThousand: 990 }, examples: ['something else'] },
        ]),
      ),
    ).toBe(k);
  });

  it('counts a hard failure seen on both sides, not one seen only on stable', () => {
    const e = base();
    const both = remediationKey(repo, { ...e, findings: [finding({ side: 'both' })] });
    expect(both.hardFailureKinds).toEqual(['oom-killed']);
    expect(remediationKey(repo, { ...e, findings: [finding({ side: 'stable' })] }).hardFailureKinds).toEqual([]);
  });
});

describe('the top error signature', () => {
  const top = (signatures: LogSignature[]): string | undefined =>
    remediationKey(repo, withSignatures(signatures)).topSignature?.template;

  it('prefers a canary-only error, then one heavier in the canary, then the first canary error', () => {
    const shared = signature({ template: 'shared' });
    const heavier = signature({ template: 'heavier', canary: { count: 9, perThousand: 90 } });
    const only = signature({ template: 'only', canaryOnly: true, stable: { count: 0, perThousand: 0 } });
    expect(top([shared, heavier, only])).toBe('only');
    expect(top([shared, heavier])).toBe('heavier');
    expect(top([shared, signature({ template: 'second' })])).toBe('shared');
  });

  it('is never a non-error line nor an error the canary did not print', () => {
    const info = signature({ template: 'info', errorLike: false, canaryOnly: true });
    const stableOnly = signature({ template: 'stable only', canary: { count: 0, perThousand: 0 } });
    expect(top([info, stableOnly])).toBeUndefined();
    expect(remediationKey(repo, withSignatures([info, stableOnly]))).not.toHaveProperty('topSignature');
    // A lighter canary rate is not "heavier": the first canary error is taken instead.
    const lighter = signature({ template: 'lighter', canary: { count: 1, perThousand: 10 } });
    const equal = signature({ template: 'equal' });
    expect(top([lighter, equal])).toBe('lighter');
    expect(top([equal, lighter])).toBe('equal');
  });
});

describe('the canary revision and the rollout name', () => {
  const pod = (hash: string | undefined): PodInfo => ({
    name: `p-${hash ?? 'none'}`,
    namespace: 'shop',
    labels: {},
    phase: 'Running',
    ready: true,
    containers: [],
    initContainers: [],
    ...(hash ? { podTemplateHash: hash } : {}),
  });
  const withoutRollout = (pods: PodInfo[], rolloutName?: string): Evidence => {
    const { rollout: _rollout, ...e } = base();
    const { rolloutName: _name, ...request } = e.request;
    return { ...e, request: rolloutName ? { ...request, rolloutName } : request, pods: { canary: pods, stable: [] } };
  };

  it("takes the rollout's revision, else its current pod hash, else the canary pods' template hashes", () => {
    const e = base();
    expect(remediationKey(repo, e).revision).toBe('7');
    const { revision: _revision, ...rollout } = e.rollout ?? { name: 'x', namespace: 'shop', images: [] };
    expect(remediationKey(repo, { ...e, rollout: { ...rollout, currentPodHash: 'h9' } }).revision).toBe('h9');
    expect(remediationKey(repo, withoutRollout([pod('b2'), pod('a1'), pod('b2'), pod(undefined)])).revision).toBe(
      'a1+b2',
    );
    expect(remediationKey(repo, withoutRollout([pod(undefined)])).revision).toBe('unknown');
  });

  it('names the rollout from the request, else from the rollout found, else "unnamed"', () => {
    const e = base();
    const { rolloutName: _name, ...request } = e.request;
    expect(remediationKey(repo, { ...e, request }).rollout).toBe(e.rollout?.name);
    expect(remediationKey(repo, withoutRollout([pod('a1')])).rollout).toBe('unnamed');
    expect(remediationKey(repo, withoutRollout([pod('a1')], 'named')).rollout).toBe('named');
  });
});

describe('fixBranch', () => {
  it('is aiops/<rollout>-<short key> in a branch-safe alphabet, the rollout cut at 60 characters', () => {
    const k = remediationKey(repo, base());
    expect(fixBranch(k)).toBe(`aiops/${bug.repo}-${k.shortKey}`);
    expect(fixBranch({ ...k, rollout: 'Cart_API v2..~^:?*[x' })).toBe(`aiops/cart-api-v2-x-${k.shortKey}`);
    expect(fixBranch({ ...k, rollout: 'a'.repeat(80) })).toBe(`aiops/${'a'.repeat(60)}-${k.shortKey}`);
  });
});
