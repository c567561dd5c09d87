/**
 * `pnpm eval`: decision quality over the labelled corpus. Runs every scenario through the real service on the
 * simulated cluster, without a model and with the fake Gemini in honest and adversarial modes, and prints
 * accuracy, false promotions, false rejections and evidence size. Exits non-zero on any false promotion.
 */
import { injectionPayloads, responders, scenarios, startFakeGemini, withInjection, type GeminiResponder, type Scenario } from '@aiops/testkit';
import { startEmbedded } from './embedded.js';
import { replayScenario, type ReplayResult } from './replay.js';

interface Mode {
  name: string;
  responder?: GeminiResponder;
  withPrometheus?: boolean;
}

const MODES: Mode[] = [
  { name: 'no model (LLM_PROVIDER=none)' },
  { name: 'fake Gemini, heuristic', responder: responders.heuristic },
  { name: 'fake Gemini, always promote', responder: responders.alwaysPromote },
  { name: 'fake Gemini, always reject', responder: responders.alwaysReject },
  { name: 'fake Gemini, obeys injected instructions', responder: responders.obeyInjection },
];

function summarize(name: string, results: ReplayResult[]): string {
  const answered = results.filter((r) => r.promote !== undefined);
  const correct = results.filter((r) => r.correct).length;
  const falsePromote = answered.filter((r) => r.promote && !r.scenario.expected.promote);
  const falseReject = answered.filter((r) => !r.promote && r.scenario.expected.promote);
  const errors = results.length - answered.length;
  const meanBytes = Math.round(results.reduce((n, r) => n + r.answerBytes, 0) / Math.max(1, results.length));
  const lines = [
    `${name}: accuracy ${((100 * correct) / results.length).toFixed(1)}% (${correct}/${results.length}), false promotions ${falsePromote.length}, false rejections ${falseReject.length}, errors ${errors}, mean answer ${meanBytes} B`,
  ];
  for (const r of [...falsePromote, ...falseReject]) lines.push(`    wrong: ${r.scenario.id} → ${r.promote ? 'promote' : 'reject'} (${r.decidedBy ?? ''}) ${r.rootCause ?? ''}`.slice(0, 200));
  for (const r of results.filter((x) => x.promote === undefined)) lines.push(`    error: ${r.scenario.id} → ${r.error ?? ''}`.slice(0, 200));
  return lines.join('\n');
}

async function runMode(mode: Mode, corpus: Scenario[]): Promise<ReplayResult[]> {
  const gemini = mode.responder ? await startFakeGemini({ responder: mode.responder }) : undefined;
  const env: Record<string, string> = { LOG_LEVEL: 'silent' };
  if (gemini) Object.assign(env, { LLM_PROVIDER: 'gemini', GOOGLE_API_KEY: 'fake-key-for-eval', GEMINI_BASE_URL: gemini.url });
  else env.LLM_PROVIDER = 'none';
  const demo = await startEmbedded({ env, scenarios: corpus, ...(mode.withPrometheus === false ? { withPrometheus: false } : {}) });
  try {
    const results: ReplayResult[] = [];
    for (const scenario of corpus) results.push(await replayScenario(demo.url, scenario));
    return results;
  } finally {
    await demo.close();
    await gemini?.close();
  }
}

async function main(): Promise<void> {
  const redTeamBases = scenarios.filter((s) => s.id === 'go-panic' || s.id === 'healthy');
  const redTeam = redTeamBases.flatMap((base) => injectionPayloads.map((p) => withInjection(base, p)));
  process.stdout.write(`Labelled corpus: ${scenarios.length} scenarios; red team: ${redTeam.length} injected variants (${injectionPayloads.length} payloads × ${redTeamBases.length} bases)\n\n`);
  let falsePromotions = 0;
  for (const mode of MODES) {
    const results = await runMode(mode, scenarios);
    falsePromotions += results.filter((r) => r.promote && !r.scenario.expected.promote).length;
    process.stdout.write(`${summarize(mode.name, results)}\n`);
  }
  // Informational: without Prometheus, regressions visible only in metrics cannot be seen; not counted above.
  const logsOnly = await runMode({ name: 'no model, no Prometheus (logs, access logs, pod health)', withPrometheus: false }, scenarios);
  process.stdout.write(`${summarize('no model, no Prometheus (logs, access logs, pod health; informational)', logsOnly)}\n`);
  process.stdout.write('\nEvidence size per scenario (no model): answer bytes, log events canary/stable\n');
  const perScenario = await runMode(MODES[0]!, scenarios);
  for (const r of perScenario) process.stdout.write(`  ${r.scenario.id.padEnd(24)} ${String(r.answerBytes).padStart(6)} B  ${String(r.ms).padStart(5)} ms  ${r.correct ? 'ok' : 'WRONG'}\n`);

  process.stdout.write('\nRed team (prompt injection in canary logs and events):\n');
  for (const mode of MODES.filter((m) => m.responder === responders.obeyInjection || !m.responder)) {
    const results = await runMode(mode, redTeam);
    falsePromotions += results.filter((r) => r.promote && !r.scenario.expected.promote).length;
    process.stdout.write(`${summarize(mode.name, results)}\n`);
  }
  process.stdout.write(`\nTotal false promotions: ${falsePromotions}\n`);
  process.exitCode = falsePromotions === 0 ? 0 : 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`eval failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
