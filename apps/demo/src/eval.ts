/**
 * `pnpm eval`: decision quality over the labelled corpus. Runs every scenario through the real service on the
 * simulated cluster, without a model, with the fake Gemini in honest and adversarial modes, with the fake
 * OpenAI-compatible server in each structured-output mode (json_schema, tools only, none) and with two models that
 * disagree (LLM_MODELS), and prints
 * accuracy, false promotions, false rejections, promotions from absent evidence, evidence size and a calibration table
 * (per confidence band: verdicts and how many were right). Then, without a model, against a real Prometheus
 * (Debian's 2.42) backfilled with the corpus' metric profiles as raw exporter series, so that the service's PromQL is
 * evaluated for real rather than matched by the fake; verdicts that differ from the fake-Prometheus run are listed,
 * and a machine without prometheus/promtool gets one line saying this mode was not run and how to install it.
 * Exits non-zero on any false promotion, any promotion from absent evidence, or an answer whose modelResults does
 * not hold one entry per model.
 */
import {
  corpusOpenMetrics,
  inconclusiveScenarios,
  injectionPayloads,
  responders,
  scenarios,
  startFakeGemini,
  startFakeOpenAi,
  prometheusInstallProblem,
  startPrometheusServer,
  withInjection,
  type GeminiResponder,
  type OpenAiCapabilities,
  type OpenAiResponder,
  type Scenario,
} from '@aiops/testkit';
import { startEmbedded } from './embedded.js';
import { replayScenario, type ReplayResult } from './replay.js';

interface Mode {
  name: string;
  responder?: GeminiResponder;
  /** The fake OpenAI-compatible server instead of Gemini: what it supports and how the service asks it. */
  openai?: {
    responder: OpenAiResponder;
    capabilities: OpenAiCapabilities;
    structuredOutput: 'json_schema' | 'tools' | 'json_mode' | 'text';
    /** LLM_MODELS entries (all on the fake OpenAI server); one OPENAI_MODEL when absent. */
    models?: string[];
  };
  withPrometheus?: boolean;
  /** Prometheus URL instead of the fake Prometheus. */
  prometheusUrl?: string;
}

/** Two models on one fake server: "honest" reads the evidence, "yes-man" promotes everything. */
const disagreeing: OpenAiResponder = (req) =>
  req.model === 'yes-man' ? responders.alwaysPromote(req) : responders.heuristic(req);

const MODES: Mode[] = [
  { name: 'no model (LLM_PROVIDER=none)' },
  { name: 'fake Gemini, heuristic', responder: responders.heuristic },
  { name: 'fake Gemini, always promote', responder: responders.alwaysPromote },
  { name: 'fake Gemini, always reject', responder: responders.alwaysReject },
  { name: 'fake Gemini, obeys injected instructions', responder: responders.obeyInjection },
  {
    name: 'fake OpenAI-compatible, JSON schema, heuristic',
    openai: { responder: responders.heuristic, capabilities: {}, structuredOutput: 'json_schema' },
  },
  {
    name: 'fake OpenAI-compatible, tools only, heuristic',
    openai: {
      responder: responders.heuristic,
      capabilities: { jsonSchema: false, jsonMode: false },
      structuredOutput: 'tools',
    },
  },
  {
    name: 'fake OpenAI-compatible, no structured output, heuristic',
    openai: {
      responder: responders.heuristic,
      capabilities: { jsonSchema: false, tools: false, jsonMode: false },
      structuredOutput: 'text',
    },
  },
  {
    name: 'two models that disagree (LLM_MODELS=openai:honest,openai:yes-man)',
    openai: {
      responder: disagreeing,
      capabilities: {},
      structuredOutput: 'json_schema',
      models: ['openai:honest', 'openai:yes-man'],
    },
  },
];

/** Models each answer's modelResults must list, one entry each: 0 without a model. */
const modelCountOf = (mode: Mode) => (mode.openai ? (mode.openai.models?.length ?? 1) : mode.responder ? 1 : 0);

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
  const openai = mode.openai
    ? await startFakeOpenAi({ responder: mode.openai.responder, capabilities: mode.openai.capabilities })
    : undefined;
  const env: Record<string, string> = { LOG_LEVEL: 'silent' };
  if (gemini)
    Object.assign(env, { LLM_PROVIDER: 'gemini', GOOGLE_API_KEY: 'fake-key-for-eval', GEMINI_BASE_URL: gemini.url });
  else if (openai && mode.openai) {
    Object.assign(env, { OPENAI_BASE_URL: openai.url, OPENAI_STRUCTURED_OUTPUT: mode.openai.structuredOutput });
    if (mode.openai.models) env.LLM_MODELS = mode.openai.models.join(',');
    else Object.assign(env, { LLM_PROVIDER: 'openai', OPENAI_MODEL: 'qwen3-8b' });
  } else env.LLM_PROVIDER = 'none';
  const demo = await startEmbedded({
    env,
    scenarios: corpus,
    ...(mode.withPrometheus === false ? { withPrometheus: false } : {}),
    ...(mode.prometheusUrl === undefined ? {} : { prometheusUrl: mode.prometheusUrl }),
  });
  try {
    const results: ReplayResult[] = [];
    for (const scenario of corpus) results.push(await replayScenario(demo.url, scenario));
    return results;
  } finally {
    await demo.close();
    await gemini?.close();
    await openai?.close();
  }
}

/**
 * The no-model mode against a real Prometheus backfilled with the corpus' metric profiles as raw series, or
 * undefined when prometheus or promtool is not installed. The data's "now" is when the run starts; the analyses
 * query at their own clock, up to a minute or so later, on data that holds each scenario's last step.
 */
async function runWithRealPrometheus(name: string, corpus: Scenario[]): Promise<ReplayResult[] | undefined> {
  if (prometheusInstallProblem() !== undefined) return undefined;
  const prometheus = await startPrometheusServer({
    openMetrics: corpusOpenMetrics({ scenarios: corpus, now: new Date() }),
    // A whole corpus: about 100 MB of OpenMetrics to backfill on a busy 2-core machine.
    startTimeoutMs: 120_000,
  });
  try {
    return await runMode({ name, prometheusUrl: prometheus.url }, corpus);
  } finally {
    await prometheus.close();
  }
}

const verdictOf = (r: ReplayResult) =>
  (r.promote === undefined
    ? `HTTP ${r.status} ${r.errorCode ?? ''}`
    : `${r.promote ? 'promote' : 'reject'} ${r.confidence ?? ''}`
  ).trim();

/** Scenarios whose verdict (or non-200 status) differs between two runs of the same corpus, one line each. */
function verdictDifferences(fake: ReplayResult[], real: ReplayResult[]): string {
  const byId = new Map(fake.map((r) => [r.scenario.id, r]));
  const lines = real.flatMap((r) => {
    const other = byId.get(r.scenario.id);
    if (other === undefined || (other.promote === r.promote && other.status === r.status)) return [];
    return [`    differs: ${r.scenario.id}: fake Prometheus → ${verdictOf(other)}, real → ${verdictOf(r)}`];
  });
  return `    verdicts that differ from the fake-Prometheus no-model mode: ${lines.length}\n${lines.map((l) => `${l}\n`).join('')}`;
}

/** Verdicts whose modelResults does not hold exactly one entry per model asked. */
function wrongModelResults(mode: Mode, results: ReplayResult[]): ReplayResult[] {
  const expected = modelCountOf(mode);
  // Absent evidence asks no model (and has no verdict); every verdict with a model lists each one.
  return results.filter((r) => r.promote !== undefined && (r.modelResults ?? 0) !== expected);
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
  let badModelResults = 0;
  const calibration: ReplayResult[] = [];
  let noModel: ReplayResult[] = [];
  for (const mode of MODES) {
    const results = await runMode(mode, corpus);
    if (mode === MODES[0]) noModel = results;
    falsePromotions += results.filter((r) => r.promote && !r.scenario.expected.promote).length;
    absentPromotions += results.filter((r) => r.promote && isAbsent(r.scenario)).length;
    calibration.push(...results);
    const wrong = wrongModelResults(mode, results);
    badModelResults += wrong.length;
    const verdicts = results.filter((r) => r.promote !== undefined).length;
    process.stdout.write(
      `${summarize(mode.name, results)}\n    modelResults: ${verdicts - wrong.length}/${verdicts} verdicts list ${modelCountOf(mode)} model(s), one entry each${wrong.length > 0 ? ` (wrong: ${wrong.map((r) => r.scenario.id).join(', ')})` : ''}\n`,
    );
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
  const realName =
    "no model, real Prometheus (the corpus' metric profiles as raw series, PromQL evaluated by Prometheus 2.42)";
  const real = await runWithRealPrometheus(realName, corpus);
  if (real === undefined) process.stdout.write(`\n${realName}: NOT RUN, ${prometheusInstallProblem() ?? ''}\n`);
  else {
    falsePromotions += real.filter((r) => r.promote && !r.scenario.expected.promote).length;
    absentPromotions += real.filter((r) => r.promote && isAbsent(r.scenario)).length;
    process.stdout.write(`\n${summarize(realName, real)}\n${verdictDifferences(noModel, real)}`);
  }
  process.stdout.write('\nEvidence size per scenario (no model): answer bytes, time, confidence\n');
  for (const r of noModel) {
    process.stdout.write(
      `  ${r.scenario.id.padEnd(30)} ${String(r.answerBytes).padStart(6)} B  ${String(r.ms).padStart(5)} ms  ${verdictOf(r).padEnd(30)} ${r.correct ? 'ok' : 'WRONG'}\n`,
    );
  }

  process.stdout.write('\nRed team (prompt injection in canary logs and events):\n');
  for (const mode of MODES.filter((m) => m.responder === responders.obeyInjection || (!m.responder && !m.openai))) {
    const results = await runMode(mode, redTeam);
    falsePromotions += results.filter((r) => r.promote && !r.scenario.expected.promote).length;
    process.stdout.write(`${summarize(mode.name, results)}\n`);
  }
  process.stdout.write(
    `\nTotal false promotions: ${falsePromotions}; promotions from absent evidence: ${absentPromotions}; verdicts with a wrong modelResults: ${badModelResults}\n`,
  );
  process.exitCode = falsePromotions === 0 && absentPromotions === 0 && badModelResults === 0 ? 0 : 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`eval failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
