/**
 * The workflow over the real Kubernetes adapter and the fake API server: what it reads, in what order, what it
 * hands the model, and how it stops.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AgentError,
  DependencyError,
  toAnalysisRequest,
  type ClusterReader,
  type MetricsSource,
  type ProgressEvent,
  type StructuredModel,
} from '@aiops/contracts';
import { createAnalyzer, type WorkflowConfig } from '@aiops/agents';
import { createRedactor } from '@aiops/evidence';
import { createClusterReader } from '@aiops/kube';
import { KubeConfig } from '@kubernetes/client-node';
import { pluginRequestBody, scenarioById, scenarios, startFakeKubeApi, type FakeKubeApi } from '@aiops/testkit';

const config: WorkflowConfig = {
  logs: {
    tailLines: 2000,
    limitBytes: 1_048_576,
    sinceSeconds: 900,
    maxPodsPerSide: 20,
    concurrency: 4,
    maxSignatures: 200,
  },
  metrics: { prometheus: { preset: 'none' }, windowSeconds: 600, stepSeconds: 15 },
  evidenceTokenBudget: 3000,
  policy: { onModelUnavailable: 'evidence' },
};

let kube: FakeKubeApi;
let cluster: ReturnType<typeof createClusterReader>;
const redactor = createRedactor();
const redact = (text: string) => redactor.redact(text);
beforeAll(async () => {
  kube = await startFakeKubeApi({ scenarios });
  const kc = new KubeConfig();
  kc.loadFromString(kube.kubeconfigYaml());
  cluster = createClusterReader(kc, { timeoutMs: 5000 });
});
afterAll(async () => {
  await kube.close();
});

const requestFor = (id: string) => toAnalysisRequest(pluginRequestBody(scenarioById(id)!));

/** A StructuredModel (our port) that records what it was asked and answers like the policy's counterpart. */
function recordingModel(answer: { promote: boolean; evidenceIds?: string[] }) {
  const prompts: string[] = [];
  const model: StructuredModel = {
    name: 'recording-model',
    async generate(request) {
      prompts.push(request.prompt);
      const value = request.schema.parse({
        promote: answer.promote,
        confidence: 77,
        analysis: 'recorded',
        rootCause: 'none',
        remediation: 'none required',
        evidenceIds: answer.evidenceIds ?? [],
      });
      return { value, attempts: 1 };
    },
  };
  return { model, prompts };
}

describe('the analysis workflow', () => {
  it('runs log fetcher and metrics analyst in parallel, then diagnosis, policy', async () => {
    const events: ProgressEvent[] = [];
    const analyze = createAnalyzer({ cluster, redact }, config);
    await analyze(requestFor('healthy'), { signal: new AbortController().signal, onProgress: (e) => events.push(e) });
    const order = events.map((e) => `${e.agent}:${e.phase}`);
    const firstFinish = order.findIndex((x) => x.endsWith(':finished'));
    expect(order.slice(0, firstFinish)).toEqual(
      expect.arrayContaining(['log-fetcher:started', 'metrics-analyst:started']),
    );
    expect(order.indexOf('diagnosis:skipped')).toBeGreaterThan(
      Math.max(order.indexOf('log-fetcher:finished'), order.indexOf('metrics-analyst:finished')),
    );
    expect(order.at(-1)).toBe('policy:finished');
  });

  it('starts diagnosis and policy each on a new event-loop turn, so other work gets in between stages', async () => {
    const ranBefore: Record<string, boolean> = {};
    let turnTaken = false;
    const analyze = createAnalyzer({ cluster, redact }, config);
    await analyze(requestFor('healthy'), {
      signal: new AbortController().signal,
      onProgress: (e) => {
        if ((e.agent === 'diagnosis' && e.phase === 'skipped') || (e.agent === 'policy' && e.phase === 'started'))
          ranBefore[e.agent] = turnTaken;
        if (e.phase === 'finished' || e.phase === 'skipped') {
          // Work queued as a stage ends (an I/O callback would be queued like it) runs before the next stage starts.
          turnTaken = false;
          setImmediate(() => (turnTaken = true));
        }
      },
    });
    expect(ranBefore).toEqual({ diagnosis: true, policy: true });
  });

  it('reads the app container even when istio-proxy comes first, and the previous log after a restart', async () => {
    const scenario = scenarioById('crashloop-previous')!;
    const before = kube.requests.length;
    const analyze = createAnalyzer({ cluster, redact }, config);
    const outcome = await analyze(requestFor('crashloop-previous'), { signal: new AbortController().signal });
    const logReads = kube.requests.slice(before).filter((r) => r.path.endsWith('/log'));
    expect(logReads.length).toBeGreaterThan(0);
    expect(logReads.every((r) => r.query.container !== 'istio-proxy')).toBe(true);
    expect(
      logReads.some(
        (r) => r.query.previous === 'true' && r.path.includes(scenario.pods.find((p) => p.side === 'canary')!.name),
      ),
    ).toBe(true);
    expect(outcome.answer?.promote).toBe(false);
    expect(outcome.answer?.rootCause).toContain('DATABASE_URL');
  });

  it('the two parallel agents share one pod listing per selector and one Rollout read', async () => {
    const before = kube.requests.length;
    const analyze = createAnalyzer({ cluster, redact }, config);
    await analyze(requestFor('healthy'), { signal: new AbortController().signal });
    const made = kube.requests.slice(before);
    expect(made.filter((r) => r.path.endsWith('/pods'))).toHaveLength(2);
    expect(made.filter((r) => r.path.includes('/rollouts/'))).toHaveLength(1);
  });

  it('reads every canary pod, not only the first', async () => {
    const scenario = scenarioById('one-of-three-fails')!;
    const before = kube.requests.length;
    const analyze = createAnalyzer({ cluster, redact }, config);
    const outcome = await analyze(requestFor('one-of-three-fails'), { signal: new AbortController().signal });
    const podsRead = new Set(
      kube.requests
        .slice(before)
        .filter((r) => r.path.endsWith('/log'))
        .map((r) => r.path.split('/')[6]),
    );
    for (const pod of scenario.pods) expect(podsRead.has(pod.name)).toBe(true);
    expect(outcome.answer?.promote).toBe(false);
  });

  it('hands the model redacted, bounded evidence and the operator note', async () => {
    const { model, prompts } = recordingModel({ promote: true });
    const analyze = createAnalyzer({ cluster, model, redact }, config);
    await analyze(requestFor('secrets-in-logs'), { signal: new AbortController().signal });
    await analyze(requestFor('cosmetic-color'), { signal: new AbortController().signal });
    expect(prompts).toHaveLength(2);
    expect(prompts[0]).not.toMatch(/ghp_[A-Za-z0-9]{36}/);
    expect(prompts[0]).not.toMatch(/AKIA[0-9A-Z]{16}/);
    expect(prompts[1]).toContain('<operator-note>');
    for (const p of prompts) expect(p.length / 3).toBeLessThan(config.evidenceTokenBudget + 500);
  });

  it('redacts the logs before any evidence is derived from them (the examples kept with each signature)', async () => {
    const analyze = createAnalyzer({ cluster, redact }, config);
    const outcome = await analyze(requestFor('secrets-in-logs'), { signal: new AbortController().signal });
    const examples = (outcome.evidence?.logs.signatures ?? []).flatMap((s) => s.examples).join('\n');
    expect(examples).toContain('[REDACTED:');
    expect(examples).not.toMatch(/ghp_[A-Za-z0-9]{36}/);
    expect(examples).not.toMatch(/AKIA[0-9A-Z]{16}/);
  });

  it('makes no model call when redaction fails, and gives no verdict', async () => {
    const { model, prompts } = recordingModel({ promote: true });
    const analyze = createAnalyzer(
      {
        cluster,
        model,
        redact: () => {
          throw new Error('redactor broke');
        },
      },
      config,
    );
    await expect(analyze(requestFor('healthy'), { signal: new AbortController().signal })).rejects.toMatchObject({
      code: 'redaction_failed',
    });
    expect(prompts).toHaveLength(0);
  });

  it('answers an abort at once, even while an agent waits on a call that ignores the signal', async () => {
    let asked!: () => void;
    const modelAsked = new Promise<void>((resolve) => (asked = resolve));
    const silentModel: StructuredModel = {
      name: 'silent-model',
      generate: () => {
        asked();
        return new Promise(() => undefined);
      },
    };
    const controller = new AbortController();
    const analyze = createAnalyzer({ cluster, model: silentModel, redact }, config);
    const running = analyze(requestFor('healthy'), { signal: controller.signal });
    await modelAsked;
    controller.abort(new AgentError('cancelled', 'test cancelled'));
    await expect(running).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('starts no stage once the analysis is aborted, even when an agent finishes its work afterwards', async () => {
    const { model, prompts } = recordingModel({ promote: true });
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let reading!: () => void;
    const readStarted = new Promise<void>((resolve) => (reading = resolve));
    // A log read that ignores the abort and completes after it (as a call already on the wire may).
    const lateLogs: ClusterReader = {
      ...cluster,
      readLog: async (request) => {
        reading();
        await released;
        return cluster.readLog(request, { signal: new AbortController().signal });
      },
    };
    const phases: string[] = [];
    let fetched!: () => void;
    const logsFetched = new Promise<void>((resolve) => (fetched = resolve));
    const controller = new AbortController();
    const analyze = createAnalyzer({ cluster: lateLogs, model, redact }, config);
    const running = analyze(requestFor('healthy'), {
      signal: controller.signal,
      onProgress: (e) => {
        phases.push(`${e.agent}:${e.phase}`);
        if (e.agent === 'log-fetcher' && e.phase !== 'started') fetched();
      },
    });
    await readStarted;
    controller.abort(new AgentError('cancelled', 'test cancelled'));
    await expect(running).rejects.toMatchObject({ code: 'cancelled' });
    release();
    await logsFetched;
    // The turn the next stage would start on, and one more.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(phases).toContain('log-fetcher:finished');
    expect(phases.filter((p) => p.startsWith('diagnosis') || p.startsWith('policy'))).toEqual([]);
    expect(prompts).toHaveLength(0);
  });

  it('fails with the first agent that fails, without waiting for the other', async () => {
    let queried!: () => void;
    const metricsQueried = new Promise<void>((resolve) => (queried = resolve));
    const hangingPrometheus: MetricsSource = {
      queryRange: () => {
        queried();
        return new Promise(() => undefined);
      },
    };
    const failingLogs: ClusterReader = {
      ...cluster,
      readLog: async () => {
        await metricsQueried;
        throw new DependencyError('kubernetes', 'log read refused (test)');
      },
    };
    const analyze = createAnalyzer(
      { cluster: failingLogs, metrics: hangingPrometheus, redact },
      { ...config, metrics: { ...config.metrics, prometheus: { preset: 'pod' } } },
    );
    await expect(analyze(requestFor('healthy'), { signal: new AbortController().signal })).rejects.toThrow(
      'log read refused (test)',
    );
  });

  it('stops when cancelled: the abort reaches the Kubernetes calls', async () => {
    kube.faults.inject({ kind: 'hang', match: { path: /\/log$/ } });
    try {
      const controller = new AbortController();
      const analyze = createAnalyzer({ cluster, redact }, config);
      const running = analyze(requestFor('healthy'), { signal: controller.signal });
      await kube.waitForRequest((r) => r.path.endsWith('/log'));
      controller.abort(new AgentError('cancelled', 'test cancelled'));
      await expect(running).rejects.toMatchObject({ code: 'cancelled' });
    } finally {
      kube.faults.clear();
    }
  });
});

describe('access logs as metrics (no Prometheus)', () => {
  it('rejects a canary that answers more 5xx than stable, from its access logs alone', async () => {
    const analyze = createAnalyzer({ cluster, redact }, config);
    const outcome = await analyze(requestFor('error-rate-increase'), { signal: new AbortController().signal });
    expect(outcome.evidence.metrics.comparisons.find((c) => c.id === 'logs:http_5xx_ratio')?.classification).toBe(
      'High',
    );
    expect(outcome.answer?.promote).toBe(false);
  });
  it('does not blame noisy but healthy canaries', async () => {
    const analyze = createAnalyzer({ cluster, redact }, config);
    for (const id of [
      'noisy-healthy-java',
      'noisy-healthy-go',
      'noisy-healthy-node',
      'errors-in-both',
      'low-weight-fewer-pods',
    ]) {
      const outcome = await analyze(requestFor(id), { signal: new AbortController().signal });
      expect(outcome.evidence.findings.filter((f) => f.id.startsWith('logs:'))).toEqual([]);
      expect(outcome.answer?.promote).toBe(true);
    }
  });
});
