/**
 * The evidence fingerprint: what a diagnosis rests on, without what changes on every measurement of an unchanged
 * canary (timestamps, exact counts, sample values, the history of earlier measurements). Pods with their readiness,
 * states and restarts; the canary's error signatures that stable does not share (or has far less), with their rate
 * on a coarse scale; the classification of every metric comparison; the findings; and the request itself. Two
 * measurements with the same fingerprint would be shown the same evidence picture, so the model's earlier diagnosis
 * can be reused; a new signature, a restart or a metric that turns bad changes it.
 */
import { createHash } from 'node:crypto';
import type { AnalysisRequest, ContainerInfo, Evidence, PodInfo } from '@aiops/contracts';
import { isCanaryElevated } from './logs/diff.js';

const container = (c: ContainerInfo) =>
  [c.name, c.image, c.ready, c.restartCount, c.current.state, c.current.reason ?? '', c.last?.reason ?? ''].join(':');

const pod = (p: PodInfo) => [p.name, p.phase, p.ready, p.deleting ?? false, ...p.containers.map(container)].join('|');

/** A rate per thousand on a scale of doublings: 3/1k and 3.4/1k are the same, 3/1k and 7/1k are not. */
const rateBucket = (perThousand: number): number => Math.round(Math.log2(1 + perThousand) * 2);

export function evidenceFingerprint(request: AnalysisRequest, evidence: Evidence): string {
  const picture = {
    request,
    pods: {
      canary: evidence.pods.canary.map(pod).sort(),
      stable: evidence.pods.stable.map(pod).sort(),
    },
    signatures: evidence.logs.signatures
      .filter((s) => s.errorLike && (s.canaryOnly || isCanaryElevated(s)))
      .map((s) => `${s.kind}:${s.template}:${rateBucket(s.canary.perThousand)}`)
      .sort(),
    metrics: evidence.metrics.comparisons.map((m) => `${m.name}:${m.source}:${m.classification}`).sort(),
    findings: evidence.findings.map((f) => `${f.kind}:${f.side}:${f.severity}:${f.hard}`).sort(),
    rollout: evidence.rollout ? [evidence.rollout.revision ?? '', evidence.rollout.images.join(',')] : [],
  };
  return createHash('sha256').update(JSON.stringify(picture)).digest('hex');
}
