/** Prometheus metrics of the service itself: one registry per app instance (no global registry). */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createTelemetry() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'aiops_agent_' });
  return {
    registry,
    analyses: new Histogram({
      name: 'aiops_agent_analysis_duration_seconds',
      help: 'Duration of analyses by outcome (promote, reject, inconclusive, error)',
      labelNames: ['outcome', 'entry'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers: [registry],
    }),
    verdicts: new Counter({
      name: 'aiops_agent_verdicts_total',
      help: 'Outcomes by kind (promote, reject, inconclusive) and by what decided them (absent-evidence when there was nothing to judge)',
      labelNames: ['outcome', 'decided_by'] as const,
      registers: [registry],
    }),
    errors: new Counter({
      name: 'aiops_agent_errors_total',
      help: 'Analyses that ended without a verdict, by error code and dependency',
      labelNames: ['code', 'dependency'] as const,
      registers: [registry],
    }),
    coalesced: new Counter({
      name: 'aiops_agent_coalesced_requests_total',
      help: 'Requests that joined a running analysis of the same request instead of starting one',
      registers: [registry],
    }),
    modelTokens: new Counter({
      name: 'aiops_agent_model_tokens_total',
      help: 'Model tokens spent, by model and direction (input, output): every answer, repairs and invalid ones included',
      labelNames: ['model', 'direction'] as const,
      registers: [registry],
    }),
    modelCost: new Counter({
      name: 'aiops_agent_model_cost_usd_total',
      help: 'Model cost in USD by model, from the tokens and LLM_PRICES (models without a price are not counted)',
      labelNames: ['model'] as const,
      registers: [registry],
    }),
    unhandledFailures: new Counter({
      name: 'aiops_agent_unhandled_failures_total',
      help: 'Rejections and exceptions nobody handled (each one drains the process and restarts it: docs/process-failures.md)',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    inFlight: new Gauge({
      name: 'aiops_agent_analyses_in_flight',
      help: 'Analyses running now (holding a slot)',
      registers: [registry],
    }),
    queued: new Gauge({
      name: 'aiops_agent_analyses_queued',
      help: 'Analyses waiting for a slot (MAX_CONCURRENT_ANALYSES)',
      registers: [registry],
    }),
    gathering: new Gauge({
      name: 'aiops_agent_analyses_gathering',
      help: 'Analyses reading and judging their evidence now (a turn at the evidence gate)',
      registers: [registry],
    }),
    gatherLimit: new Gauge({
      name: 'aiops_agent_gathering_limit',
      help: 'Analyses allowed to gather evidence at once; lowered while the event loop lags (EVENT_LOOP_DELAY_TARGET_MS)',
      registers: [registry],
    }),
    refused: new Counter({
      name: 'aiops_agent_analyses_refused_total',
      help: 'Analyses refused with a retryable 503 because the wait for a slot would exceed the deadline or the queue is full',
      registers: [registry],
    }),
    diagnosisCache: new Counter({
      name: 'aiops_agent_diagnosis_cache_total',
      help: 'Evidence fingerprints looked up before asking the model: hit (unchanged evidence, the earlier diagnosis reused, no model call) or miss',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    evidenceTasks: new Counter({
      name: 'aiops_agent_evidence_tasks_total',
      help: 'Log evidence computations (parsing, templating, signature diff) by place (worker: a thread of the evidence pool, for log text of EVIDENCE_WORKER_MIN_BYTES or more; inline: the request thread) and result (ok, failed, aborted)',
      labelNames: ['place', 'result'] as const,
      registers: [registry],
    }),
    evidenceWorkerBusy: new Gauge({
      name: 'aiops_agent_evidence_worker_tasks_running',
      help: 'Log evidence computations running or waiting on the worker threads',
      registers: [registry],
    }),
    progress: new Counter({
      name: 'aiops_agent_agent_steps_total',
      help: 'Agent steps by agent and phase',
      labelNames: ['agent', 'phase'] as const,
      registers: [registry],
    }),
  };
}
export type Telemetry = ReturnType<typeof createTelemetry>;
