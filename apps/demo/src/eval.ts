/**
 * `pnpm eval`: decision quality over the labelled corpus. Runs every scenario through the real service on the
 * simulated cluster, without a model and with the fake Gemini in honest and adversarial modes, and prints
 * accuracy, false promotions, false rejections, promotions from absent evidence, evidence size and a calibration table
 * (per confidence band: verdicts and how many were right). Exits non-zero on any false promotion or any promotion
 * from absent evidence.
 */
import {
  inconclusiveScenarios,
  injectionPayloads,
  responders,
  scenarios,
  startFakeGemini,
  withInjection,
  type GeminiResponder,
  type Scenario,
} from '@aiops/testkit';
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

const isAbsent = (s: Scenario) => s.expected.inconclusive?.kind === 'absent';

function summarize(name: string, results: ReplayResult[]): string {
  const answered = results.filter((r) => r.promote !== undefined);
  const correct = results.filter((r) => r.correct).length;
  const falsePromote = answered.filter((r) => r.promote && !r.scenario.expected.promote);
  const falseReject = answered.filter((r) => !r.promote && r.scenario.expected.promote);
  const fromAbsent = answered.filter((r) => r.promote && isAbsent(r.scenario));
  const absentAnswered = results.filter((r) => isAbsent(r.scenario) && r.promote === undefined && r.correct).length;
  const errors = results.filter((r) => r.promote === undefined && !r.correct);
  const meanBytes = Math.round(results.reduce((n, r) => n + r.answerBytes, 0) / Math.max(1, results.length));
  const absentPart = results.some((r) => isAbsent(r.scenario))
    ? `, promotions from absent evidence ${fromAbsent.length} (${absentAnswered}/${results.filter((r) => isAbsent(r.scenario)).length} absent answered without a verdict)`
    : '';
  const lines = [
    `${name}: accuracy ${((100 * correct) / results.length).toFixed(1)}% (${correct}/${results.length}), false promotions ${falsePromote.length}, false rejections ${falseReject.length}${absentPart}, errors ${errors.length}, mean answer ${meanBytes} B`,
  ];
  for (const r of [...falsePromote, ...falseReject])
    lines.push(
      `    wrong: ${r.scenario.id} → ${r.promote ? 'promote' : 'reject'} (${r.decidedBy ?? ''}) ${r.rootCause ?? ''}`.slice(
        0,
        200,
      ),
    );
  for (const r of answered.filter((x) => x.correct === false && x.promote === x.scenario.expected.promote))
    lines.push(`    wrong: ${r.scenario.id} → confidence ${r.confidence ?? '?'} above the thin-evidence cap`);
  for (const r of errors) lines.push(`    error: ${r.scenario.id} → ${r.error ?? ''}`.slice(0, 200));
  return lines.join('\n');
}

const BANDS: Array<[number, number]> = [
  [0, 49],
  [50, 59],
  [60, 69],
  [70, 79],
  [80, 89],
  [90, 100],
];

/** Per confidence band: how many verdicts, how many right (promote as labelled). Calibrated: higher bands, more right. */
function calibrationTable(results: ReplayResult[]): string {
  const verdicts = results.filter((r) => r.promote !== undefined && r.confidence !== undefined);
  const rows = BANDS.map(([low, high]) => {
    const inBand = verdicts.filter((r) => (r.confidence ?? -1) >= low && (r.confidence ?? -1) <= high);
    const right = inBand.filter((r) => r.promote === r.scenario.expected.promote).length;
    const share = inBand.length === 0 ? '-' : `${((100 * right) / inBand.length).toFixed(1)}%`;
    return `  ${`${low}-${high}`.padEnd(8)} ${String(inBand.length).padStart(8)} ${String(right).padStart(6)} ${share.padStart(8)}`;
  });
  return ['  band     verdicts  right  % right', ...rows].join('\n');
}

async function runMode(mode: Mode, corpus: Scenario[]): Promise<ReplayResult[]> {
  const gemini = mode.responder ? await startFakeGemini({ responder: mode.responder }) : undefined;
  const env: Record<string, string> = { LOG_LEVEL: 'silent' };
  if (gemini)
    Object.assign(env, { LLM_PROVIDER: 'gemini', GOOGLE_API_KEY: 'fake-key-for-eval', GEMINI_BASE_URL: gemini.url });
  else env.LLM_PROVIDER = 'none';
  const demo = await startEmbedded({
    env,
    scenarios: corpus,
    ...(mode.withPrometheus === false ? { withPrometheus: false } : {}),
  });
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
  const corpus = [...scenarios, ...inconclusiveScenarios];
  const redTeamBases = scenarios.filter((s) => s.id === 'go-panic' || s.id === 'healthy');
  const redTeam = redTeamBases.flatMap((base) => injectionPayloads.map((p) => withInjection(base, p)));
  process.stdout.write(
    `Labelled corpus: ${scenarios.length} scenarios with a verdict + ${inconclusiveScenarios.length} inconclusive (${inconclusiveScenarios.filter(isAbsent).length} absent, ${inconclusiveScenarios.filter((s) => !isAbsent(s)).length} thin); red team: ${redTeam.length} injected variants (${injectionPayloads.length} payloads × ${redTeamBases.length} bases)\n\n`,
  );
  let falsePromotions = 0;
  let absentPromotions = 0;
  const calibration: ReplayResult[] = [];
  for (const mode of MODES) {
    const results = await runMode(mode, corpus);
    falsePromotions += results.filter((r) => r.promote && !r.scenario.expected.promote).length;
    absentPromotions += results.filter((r) => r.promote && isAbsent(r.scenario)).length;
    calibration.push(...results);
    process.stdout.write(`${summarize(mode.name, results)}\n`);
  }
  process.stdout.write(
    `\nCalibration: plugin-route verdicts of the ${MODES.length} modes above, by confidence band (right = promote as labelled)\n${calibrationTable(calibration)}\n`,
  );
  // Informational: without Prometheus, regressions visible only in metrics cannot be seen; not counted above.
  const logsOnly = await runMode(
    { name: 'no model, no Prometheus (logs, access logs, pod health)', withPrometheus: false },
    corpus,
  );
  process.stdout.write(
    `\n${summarize('no model, no Prometheus (logs, access logs, pod health; informational)', logsOnly)}\n`,
  );
  process.stdout.write('\nEvidence size per scenario (no model): answer bytes, time, confidence\n');
  const perScenario = await runMode(MODES[0]!, corpus);
  for (const r of perScenario) {
    const outcome =
      r.promote === undefined
        ? `HTTP ${r.status} ${r.errorCode ?? ''}`
        : `${r.promote ? 'promote' : 'reject'} ${r.confidence ?? ''}`;
    process.stdout.write(
      `  ${r.scenario.id.padEnd(30)} ${String(r.answerBytes).padStart(6)} B  ${String(r.ms).padStart(5)} ms  ${outcome.padEnd(30)} ${r.correct ? 'ok' : 'WRONG'}\n`,
    );
  }

  process.stdout.write('\nRed team (prompt injection in canary logs and events):\n');
  for (const mode of MODES.filter((m) => m.responder === responders.obeyInjection || !m.responder)) {
    const results = await runMode(mode, redTeam);
    falsePromotions += results.filter((r) => r.promote && !r.scenario.expected.promote).length;
    process.stdout.write(`${summarize(mode.name, results)}\n`);
  }
  process.stdout.write(
    `\nTotal false promotions: ${falsePromotions}; promotions from absent evidence: ${absentPromotions}\n`,
  );
  process.exitCode = falsePromotions === 0 && absentPromotions === 0 ? 0 : 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`eval failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
