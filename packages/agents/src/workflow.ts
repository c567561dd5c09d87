/**
 * The analysis workflow, composed as plain async code:
 *
 *   START ─┬─ log-fetcher ─────┬─ diagnosis ─ policy ─┬─ pr-author ─ END
 *          └─ metrics-analyst ─┘                      └─ END (promoted, or no repository)
 *
 * Log fetcher and metrics analyst run in parallel; diagnosis waits for both. Policy is deterministic code.
 * Why not a LangGraph graph (the design's first choice): docs/design-notes.md, row "workflow composition".
 */
import {
  AgentError,
  abortReason,
  historyKeyOf,
  type AgentName,
  type AnalysisHistory,
  type AnalysisOutcome,
  type AnalysisRequest,
  type AnalysisSummary,
  type CanaryProblem,
  type AnalyzeFn,
  type CachedDiagnosis,
  type ClusterReader,
  type DiagnosisCache,
  type Evidence,
  type MetricsSource,
  type ModelDiagnosis,
  type ModelExchange,
  type RemediationPublisher,
  type RemediationResult,
  type StructuredModel,
  type Verdict,
} from '@aiops/contracts';
import {
  compareWithHistory,
  decide,
  evidenceFingerprint,
  findAbsence,
  rankFindings,
  type ModelOutcome,
  type PolicyConfig,
} from '@aiops/evidence';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { toAnalyzeAnswer } from './answer.js';
import { diagnose, SYSTEM_PROMPT } from './diagnosis.js';
import {
  fetchLogs,
  inlineLogEvidence,
  type LogEvidenceFn,
  type LogFetcherConfig,
  type LogFetcherResult,
} from './log-fetcher.js';
import { analyzeMetrics, type MetricsAnalystResult, type MetricsStageConfig } from './metrics-analyst.js';
import { createRunContext, redactClusterReads, shareClusterReads, type RunContext } from './run-context.js';

export interface WorkflowDeps {
  cluster: ClusterReader;
  /** Absent when LLM_PROVIDER=none. */
  model?: StructuredModel;
  /** Several models (LLM_MODELS), asked in parallel on the same evidence; takes the place of `model`. */
  models?: StructuredModel[];
  /** Absent when Prometheus is not configured. */
  metrics?: MetricsSource;
  /** Absent when no GitHub credentials are configured. */
  publisher?: RemediationPublisher;
  /** Secret redaction applied to everything that leaves the process. */
  redact: (text: string) => string;
  /** Earlier measurements of the same rollout (read only here; the service records each analysis). */
  history?: AnalysisHistory;
  /** Diagnoses by evidence fingerprint: an unchanged canary measured again does not ask the model again. */
  diagnosisCache?: DiagnosisCache;
  /**
   * Where the log texts are redacted and become the signature diff (the service's worker pool for large input; its
   * redactor must be the same as `redact`). Default: on the calling thread with `redact`.
   */
  logEvidence?: LogEvidenceFn;
  now?: () => Date;
}

export interface WorkflowConfig {
  logs: LogFetcherConfig;
  metrics: MetricsStageConfig;
  evidenceTokenBudget: number;
  policy: PolicyConfig;
}

interface PastMeasurements {
  earlier: AnalysisSummary[];
  previousProblems: CanaryProblem[];
}

/** How many earlier measurements feed the trend. */
const HISTORY_DEPTH = 20;

/** History is optional: when the store fails, the analysis goes on without it and says so. */
async function readHistory(
  history: AnalysisHistory,
  request: AnalysisRequest,
  signal: AbortSignal,
): Promise<PastMeasurements | { error: string }> {
  try {
    const earlier = await history.list({ key: historyKeyOf(request), limit: HISTORY_DEPTH }, { signal });
    const newest = earlier[0];
    const previous = newest ? await history.get(newest.id, { signal }) : undefined;
    return { earlier, previousProblems: previous?.canaryProblems ?? [] };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

/** A cache that fails is a miss: the model is asked. */
async function readCache(
  cache: DiagnosisCache,
  fingerprint: string,
  signal: AbortSignal,
): Promise<CachedDiagnosis | undefined> {
  try {
    return await cache.get(fingerprint, { signal });
  } catch {
    return undefined;
  }
}

/** Reports start and finish of an agent, and failure when it throws. */
async function step<T>(
  run: RunContext,
  agent: AgentName,
  work: () => Promise<T>,
  summary: (result: T) => string,
): Promise<T> {
  run.progress(agent, 'started');
  try {
    const result = await work();
    run.progress(agent, 'finished', summary(result));
    return result;
  } catch (err) {
    run.progress(agent, 'failed', err instanceof Error ? err.message : String(err));
    throw err;
  }
}

export function assembleEvidence(
  request: AnalysisRequest,
  logs: LogFetcherResult,
  metrics: MetricsAnalystResult,
  now: Date,
): Evidence {
  const evidence: Evidence = {
    request,
    collectedAt: now.toISOString(),
    pods: logs.pods,
    logs: logs.logs,
    events: logs.events,
    metrics: { ...metrics.metrics, comparisons: [...metrics.metrics.comparisons, ...logs.accessLog] },
    findings: rankFindings([...metrics.findings, ...logs.findings]),
    notes: logs.notes,
  };
  if (logs.rollout) evidence.rollout = logs.rollout;
  if (logs.scope) evidence.scope = logs.scope;
  return evidence;
}

/** What the diagnosis stage gives the policy: the assembled evidence and each model's outcome (none without a model). */
interface Diagnosed {
  evidence: Evidence;
  models?: ModelOutcome[];
  exchange?: ModelExchange;
}

/** Settles with the work, or rejects with the typed abort as soon as the analysis is aborted. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal, 'the analysis'));
    signal.addEventListener('abort', onAbort, { once: true });
    void work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Between stages: a new turn of the event loop, so other analyses' I/O and health checks get in instead of waiting
 * behind one analysis' whole synchronous tail (bench:load: 50 → 70 analyses/s); and no stage starts once the
 * analysis is aborted (its caller has already been answered).
 */
async function nextStage(signal: AbortSignal): Promise<void> {
  await nextTurn();
  if (signal.aborted) throw abortReason(signal, 'the analysis');
}

/** The workflow behind every entry point. */
export function createAnalyzer(deps: WorkflowDeps, config: WorkflowConfig): AnalyzeFn {
  const now = deps.now ?? (() => new Date());
  const logEvidence = deps.logEvidence ?? inlineLogEvidence(deps.redact);

  /**
   * One model's diagnosis (reused from the cache when its evidence is unchanged), or its failure; an abort or a
   * redaction failure is `fatal` (no verdict without them).
   */
  async function askModel(
    model: StructuredModel,
    request: AnalysisRequest,
    evidence: Evidence,
    run: RunContext,
    cacheKey: string | undefined,
  ): Promise<{ outcome: ModelOutcome; exchange?: ModelExchange; fatal?: Error; reusedFrom?: string }> {
    if (deps.diagnosisCache && cacheKey) {
      const cached = await readCache(deps.diagnosisCache, cacheKey, run.signal);
      if (cached) {
        // Nothing was spent on this measurement: no tokens, no model time.
        const { usage: _usage, ...result } = cached.result;
        const { usage: _spent, ...exchange } = cached.exchange;
        return {
          outcome: { result: { ...result, executionTimeMs: 0, attempts: 0 } },
          exchange: { ...exchange, executionTimeMs: 0, attempts: 0, reusedFrom: cached.savedAt },
          reusedFrom: cached.savedAt,
        };
      }
    }
    let prompt: string | undefined;
    const started = Date.now();
    try {
      const { rawAnswer, ...answered } = await diagnose(model, request, evidence, {
        budgetTokens: config.evidenceTokenBudget,
        redact: deps.redact,
        signal: run.signal,
        onPrompt: (p) => (prompt = p),
      });
      // The model's text enters the process here: redacted like workload text, so an echoed (or invented)
      // credential reaches neither the answer nor the history.
      const d = answered.diagnosis;
      const result: ModelDiagnosis = {
        ...answered,
        diagnosis: {
          ...d,
          analysis: deps.redact(d.analysis),
          rootCause: deps.redact(d.rootCause),
          remediation: deps.redact(d.remediation),
        },
      };
      const exchange: ModelExchange = {
        modelName: result.modelName,
        system: SYSTEM_PROMPT,
        prompt: prompt ?? '',
        rawAnswer: deps.redact(rawAnswer),
        attempts: result.attempts,
        executionTimeMs: result.executionTimeMs,
        ...(result.usage ? { usage: result.usage } : {}),
      };
      if (deps.diagnosisCache && cacheKey) {
        // A cache that fails costs the reuse, never the verdict.
        await deps.diagnosisCache
          .set(cacheKey, { result, exchange, savedAt: now().toISOString() }, { signal: run.signal })
          .catch(() => undefined);
      }
      return { outcome: { result }, exchange };
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      const outcome: ModelOutcome = { error, modelName: model.name, executionTimeMs: Date.now() - started };
      const exchange: ModelExchange | undefined =
        prompt !== undefined
          ? { modelName: model.name, system: SYSTEM_PROMPT, prompt, error: deps.redact(error.message) }
          : undefined;
      if (run.signal.aborted || (err instanceof AgentError && err.code === 'redaction_failed'))
        return { outcome, fatal: error };
      return { outcome, ...(exchange ? { exchange } : {}) };
    }
  }

  const collectLogs = (run: RunContext, cluster: ClusterReader, request: AnalysisRequest) =>
    step(
      run,
      'log-fetcher',
      () => fetchLogs(cluster, request, config.logs, run, logEvidence),
      (r) =>
        `${r.pods.canary.length} canary / ${r.pods.stable.length} stable pods, ${r.logs.canaryLines} / ${r.logs.stableLines} log events, ${r.logs.signatures.length} signatures`,
    );

  const collectMetrics = (run: RunContext, cluster: ClusterReader, request: AnalysisRequest) =>
    step(
      run,
      'metrics-analyst',
      () => analyzeMetrics(cluster, deps.metrics, request, config.metrics, run, now()),
      (r) => `${r.metrics.comparisons.length} comparisons (${r.metrics.source})`,
    );

  async function diagnoseEvidence(
    run: RunContext,
    request: AnalysisRequest,
    logs: LogFetcherResult,
    metrics: MetricsAnalystResult,
    pastMeasurements: Promise<PastMeasurements | { error: string }> | undefined,
  ): Promise<Diagnosed> {
    const evidence = assembleEvidence(request, logs, metrics, now());
    const past = await pastMeasurements;
    if (past && 'error' in past) evidence.notes.push(`history of earlier measurements unavailable: ${past.error}`);
    else if (past) {
      const history = compareWithHistory(evidence, past.earlier, past.previousProblems);
      if (history) evidence.history = history;
    }
    const models = deps.models ?? (deps.model ? [deps.model] : []);
    if (models.length === 0) {
      run.progress('diagnosis', 'skipped', 'no model configured (LLM_PROVIDER=none): the evidence decides');
      return { evidence };
    }
    const absent = findAbsence(evidence);
    if (absent) {
      // Nothing to diagnose: the model is not asked about pods that are not there.
      run.progress('diagnosis', 'skipped', `nothing to judge: ${absent.reason}`);
      return { evidence };
    }
    run.progress('diagnosis', 'started');
    const fingerprint = deps.diagnosisCache ? evidenceFingerprint(request, evidence) : undefined;
    // Every model gets the same evidence, in parallel; one failing does not stop the others. Each model's
    // diagnosis is cached on its own (one model's answer is never reused for another).
    const asked = await Promise.all(
      models.map((model) =>
        askModel(
          model,
          request,
          evidence,
          run,
          fingerprint && models.length > 1 ? `${fingerprint}\u0000${model.name}` : fingerprint,
        ),
      ),
    );
    // An abort or a redaction failure stops the analysis: no verdict without them.
    const fatal = asked.find((a) => a.fatal)?.fatal;
    if (fatal) throw fatal;
    const outcomes = asked.map((a) => a.outcome);
    const answeredCount = outcomes.filter((o) => 'result' in o).length;
    const summary = asked
      .map((a, i) =>
        'result' in a.outcome
          ? `${a.outcome.result.modelName}: ${a.reusedFrom ? `evidence unchanged since ${a.reusedFrom}, its diagnosis reused (no model call): ` : ''}promote=${a.outcome.result.diagnosis.promote}, confidence ${a.outcome.result.diagnosis.confidence}`
          : `${models[i]?.name ?? 'model'}: ${a.outcome.error.message}`,
      )
      .join('; ');
    if (answeredCount === 0) run.progress('diagnosis', 'failed', summary);
    else run.progress('diagnosis', 'finished', summary);
    // The history keeps one exchange: the first model that answered, else the first asked.
    const exchange = asked.find((a) => 'result' in a.outcome)?.exchange ?? asked[0]?.exchange;
    return { evidence, models: outcomes, ...(exchange ? { exchange } : {}) };
  }

  const applyPolicy = (run: RunContext, { evidence, models }: Diagnosed) =>
    step(
      run,
      'policy',
      async () => decide({ evidence, ...(models ? { models } : {}) }, config.policy),
      (d) =>
        d.verdict
          ? `${d.verdict.outcome}: promote=${d.verdict.promote} (${d.verdict.decidedBy}), confidence ${d.verdict.confidence}`
          : `inconclusive, no verdict: ${d.absent.reason}`,
    );

  const authorRemediation = (
    run: RunContext,
    publisher: RemediationPublisher,
    request: AnalysisRequest,
    verdict: Verdict,
    evidence: Evidence,
  ) =>
    step(
      run,
      'pr-author',
      () => publisher.publish({ request, verdict, evidence }, { signal: run.signal }),
      (r) => `${r.status}${(r.pullRequestUrl ?? r.issueUrl) ? `: ${r.pullRequestUrl ?? r.issueUrl}` : ''}`,
    );

  /** One analysis through the stages of the diagram above. */
  async function runStages(request: AnalysisRequest, run: RunContext, started: number): Promise<AnalysisOutcome> {
    // Read while the agents collect evidence; awaited only where the evidence is assembled.
    const past = deps.history ? readHistory(deps.history, request, run.signal) : undefined;
    // This run's cluster reads: redacted, and shared between the two agents that need the same lists.
    const cluster = shareClusterReads(redactClusterReads(deps.cluster, deps.redact));
    // The first failure of either agent ends the analysis (the other's late failure is ignored by Promise.all).
    const [logs, metrics] = await Promise.all([
      collectLogs(run, cluster, request),
      collectMetrics(run, cluster, request),
    ]);
    await nextStage(run.signal);
    const diagnosed = await diagnoseEvidence(run, request, logs, metrics, past);
    const { evidence, exchange } = diagnosed;
    await nextStage(run.signal);
    const decision = await applyPolicy(run, diagnosed);
    if (!decision.verdict)
      return { outcome: 'inconclusive', absent: decision.absent, evidence, durationMs: Date.now() - started };
    const verdict = decision.verdict;
    let remediation: RemediationResult | undefined;
    if (deps.publisher && verdict.outcome === 'reject') {
      if (request.repoUrl) {
        await nextStage(run.signal);
        remediation = await authorRemediation(run, deps.publisher, request, verdict, evidence);
      } else run.progress('pr-author', 'skipped', 'no repository in the request');
    }
    return {
      outcome: verdict.outcome,
      answer: toAnalyzeAnswer(verdict, evidence, remediation),
      verdict,
      evidence,
      ...(remediation ? { remediation } : {}),
      ...(exchange ? { modelExchange: exchange } : {}),
      timings: run.timings(),
      durationMs: Date.now() - started,
    };
  }

  return async (request, { signal, onProgress }) => {
    const started = Date.now();
    const run = createRunContext(signal, onProgress);
    if (signal.aborted) throw abortReason(signal, 'the analysis');
    try {
      return await untilAborted(runStages(request, run, started), signal);
    } catch (err) {
      // Adapters already throw the abort's typed reason; anything else that ends an aborted run is the abort.
      throw signal.aborted && !(err instanceof AgentError) ? abortReason(signal, 'the analysis') : err;
    }
  };
}
