/**
 * The metrics analyst: pod health from the Kubernetes API (readiness, restarts, terminations, waiting reasons)
 * compared canary vs stable, and Prometheus metrics judged statistically when Prometheus is configured.
 */
import type { AnalysisRequest, ClusterReader, Finding, MetricsEvidence, MetricsSource } from '@aiops/contracts';
import { podHealthComparisons, podHealthFindings } from '@aiops/evidence';
import { analyzeCanaryMetrics, type MetricsAnalystConfig, type SideTarget } from '@aiops/metrics';
import type { RunContext } from './run-context.js';

export interface MetricsStageConfig {
  prometheus: MetricsAnalystConfig;
  windowSeconds: number;
  stepSeconds: number;
}

export interface MetricsAnalystResult {
  metrics: MetricsEvidence;
  findings: Finding[];
}

export async function analyzeMetrics(
  cluster: ClusterReader,
  source: MetricsSource | undefined,
  request: AnalysisRequest,
  config: MetricsStageConfig,
  run: RunContext,
  now: Date,
): Promise<MetricsAnalystResult> {
  const { signal } = run;
  const [canary, stable, rollout] = await Promise.all([
    cluster.listPods(request.namespace, request.canarySelector, { signal }),
    cluster.listPods(request.namespace, request.stableSelector, { signal }),
    request.rolloutName
      ? cluster.getRollout(request.namespace, request.rolloutName, { signal })
      : Promise.resolve(undefined),
  ]);
  const pods = { canary, stable };
  const findings = podHealthFindings(pods);
  const comparisons = podHealthComparisons(pods);

  const side = (pods: typeof canary, hash: string | undefined, service: string | undefined): SideTarget => {
    const podTemplateHash = hash ?? pods.find((p) => p.podTemplateHash)?.podTemplateHash;
    return {
      podNames: pods.map((p) => p.name),
      ...(podTemplateHash ? { podTemplateHash } : {}),
      ...(service ? { service } : {}),
    };
  };
  const prometheus = await analyzeCanaryMetrics(
    source,
    {
      namespace: request.namespace,
      canary: side(canary, rollout?.currentPodHash, rollout?.canaryService),
      stable: side(stable, rollout?.stablePodHash, rollout?.stableService),
      windowSeconds: config.windowSeconds,
      stepSeconds: config.stepSeconds,
      now,
    },
    config.prometheus,
    { signal },
  );
  return {
    metrics: {
      source: prometheus.comparisons.length > 0 ? 'prometheus' : 'kubernetes',
      comparisons: [...prometheus.comparisons, ...comparisons],
      ...(prometheus.score !== undefined ? { score: prometheus.score } : {}),
      notes: prometheus.notes,
      ...(prometheus.failure !== undefined ? { failure: prometheus.failure } : {}),
    },
    findings: [...findings, ...prometheus.findings],
  };
}
