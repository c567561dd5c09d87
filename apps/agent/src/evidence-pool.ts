/**
 * Large log evidence off the request loop: a worker-thread pool (piscina) for the pure evidence work — secret
 * redaction, parsing, templating, the signature diff and the access-log judgement — of an analysis whose log text reaches
 * EVIDENCE_WORKER_MIN_BYTES. Smaller analyses stay on the calling thread, where a worker's hand-off would cost more
 * than it saves. So /healthz, A2A streams and small analyses keep answering while a big one is parsed.
 *
 * Data flows one way: texts in, plain evidence out (structured clone). The analysis' signal reaches the task (an
 * aborted task's worker is terminated and replaced); a worker that fails — it crashed, or ran out of its heap
 * (EVIDENCE_WORKER_HEAP_MB) — fails the analysis with a retryable 503 (`evidence_failed`), never a verdict.
 */
import { availableParallelism } from 'node:os';
import { AgentError, abortReason } from '@aiops/contracts';
import { inlineLogEvidence, type LogEvidenceFn } from '@aiops/agents';
import { logTextSize, type LogEvidence } from '@aiops/evidence';
import { Piscina } from 'piscina';
import type { EvidenceTask } from './evidence-worker.js';

export interface EvidencePoolOptions {
  /** Worker threads; 0 keeps all evidence work on the calling thread. */
  threads: number;
  /** Log text (UTF-16 code units, ~bytes for ASCII logs) from which an analysis' evidence goes to a worker. */
  minBytes: number;
  /** Old-generation heap of each worker, MiB; 0 leaves Node's default. */
  heapMb: number;
  /** The service's redactor, for the texts that stay on the calling thread. */
  redact: (text: string) => string;
  /** REDACTION_EXTRA_PATTERNS: a worker builds the same redactor from them. */
  redactionExtraPatterns: string[];
}

export type EvidencePlace = 'worker' | 'inline';
export type EvidenceResult = 'ok' | 'failed' | 'aborted';

/** For the counters on /metrics. */
export interface EvidencePoolListener {
  started?(place: EvidencePlace): void;
  finished?(place: EvidencePlace, result: EvidenceResult): void;
}

export interface EvidencePool {
  run: LogEvidenceFn;
  close(): Promise<void>;
}

/**
 * The default size: one thread per core but the request thread's, at least one. A worker for every core left the
 * request thread competing with them: in `pnpm bench:load` on 2 cores, 200 at once without a model, one worker used
 * ~15 % less CPU per analysis than two (18.7–19.2 vs 21.8–22.5 ms), with the same or better analyses/s and less memory.
 */
export const defaultEvidenceThreads = (cores: number = availableParallelism()): number => Math.max(1, cores - 1);

export function createEvidencePool(options: EvidencePoolOptions, listener: EvidencePoolListener = {}): EvidencePool {
  // From the TypeScript sources (tests under vitest) there is no built worker module to start: stay inline.
  const fromSources = import.meta.url.endsWith('.ts');
  const inline = inlineLogEvidence(options.redact);
  let pool: Piscina<EvidenceTask, LogEvidence> | undefined;
  const start = () =>
    new Piscina<EvidenceTask, LogEvidence>({
      filename: new URL('./evidence-worker.js', import.meta.url).href,
      minThreads: 0,
      maxThreads: options.threads,
      idleTimeout: 60_000,
      ...(options.heapMb > 0 ? { resourceLimits: { maxOldGenerationSizeMb: options.heapMb } } : {}),
    });
  const onWorker = async (task: EvidenceTask, signal: AbortSignal): Promise<LogEvidence> => {
    pool ??= start();
    try {
      return await pool.run(task, { signal });
    } catch (err) {
      if (signal.aborted) throw abortReason(signal, 'the log evidence');
      throw new AgentError(
        'evidence_failed',
        `the log evidence could not be computed on a worker thread (${err instanceof Error ? err.message : String(err)}); no verdict was reached`,
        { cause: err, retryAfterSeconds: 30 },
      );
    }
  };
  return {
    async run(texts, evidenceOptions, signal) {
      if (signal.aborted) throw abortReason(signal, 'the log evidence');
      const place: EvidencePlace =
        options.threads > 0 && !fromSources && logTextSize(texts) >= options.minBytes ? 'worker' : 'inline';
      listener.started?.(place);
      let result: EvidenceResult = 'failed';
      try {
        const evidence =
          place === 'worker'
            ? await onWorker({ texts, options: evidenceOptions, extraPatterns: options.redactionExtraPatterns }, signal)
            : await inline(texts, evidenceOptions, signal);
        result = 'ok';
        return evidence;
      } catch (err) {
        if (signal.aborted) result = 'aborted';
        throw err;
      } finally {
        listener.finished?.(place, result);
      }
    },
    async close() {
      await pool?.destroy();
    },
  };
}
