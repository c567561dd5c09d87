/**
 * Overhead of the Gemini adapter (LangChain client, streaming parse, zod validation) per structured call, against
 * the local fake Gemini server, so the figure is our cost and not the model's. Prints figures only.
 */
import { DiagnosisSchema } from '@aiops/contracts';
import { createGeminiModel } from '@aiops/llm';
import { responders, startFakeGemini, type GeminiResponder } from '@aiops/testkit';

const PROMPT = [
  'Evidence:',
  ...Array.from(
    { length: 40 },
    (_, i) =>
      `- [f-${i}] severity=${i % 7 === 0 ? 'error' : 'info'} side=${i % 2 ? 'stable' : 'canary'} hard=false :: template ${i} <n> ms`,
  ),
].join('\n');

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function measure(label: string, responder: GeminiResponder, runs: number): Promise<void> {
  const fake = await startFakeGemini({ responder });
  const model = createGeminiModel({
    apiKey: 'bench-key',
    model: 'gemini-2.5-flash',
    baseUrl: fake.url,
    timeoutMs: 10_000,
  });
  const call = () =>
    model.generate(
      { system: 'bench', prompt: PROMPT, schema: DiagnosisSchema, schemaName: 'Diagnosis' },
      { signal: new AbortController().signal },
    );
  for (let i = 0; i < 20; i++) await call(); // warm-up
  const times: number[] = [];
  const heapBefore = process.memoryUsage().heapUsed;
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    await call();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  const heapGrowth = (process.memoryUsage().heapUsed - heapBefore) / 1e6;
  await fake.close();
  times.sort((a, b) => a - b);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  console.log(
    `${label.padEnd(44)} mean ${mean.toFixed(2).padStart(6)} ms  p50 ${percentile(times, 50).toFixed(2).padStart(6)} ms  p95 ${percentile(times, 95).toFixed(2).padStart(6)} ms  heap delta (no forced GC) ${heapGrowth >= 0 ? '+' : ''}${heapGrowth.toFixed(1)} MB over ${runs} calls`,
  );
}

await measure('valid answer (1 HTTP call)', responders.heuristic, 300);
// A fresh invalidThenValid per call would need a new server; alternate invalid/valid answers instead.
let n = 0;
await measure(
  'invalid then repaired (2 HTTP calls)',
  (req) => (++n % 2 === 1 ? { json: { promote: 'maybe' } } : responders.heuristic(req)),
  300,
);
