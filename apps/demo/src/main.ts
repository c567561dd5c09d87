/**
 * `pnpm demo`: runs the service on the embedded simulated cluster, replays the metric-ai plugin's call for every
 * scenario, prints a table and exits. `pnpm demo --serve` keeps serving (PORT, default 8080) for curl.
 */
import { pluginRequestBody } from '@aiops/testkit';
import { startEmbedded } from './embedded.js';
import { formatTable, replayScenario } from './replay.js';

async function main(): Promise<void> {
  const serve = process.argv.includes('--serve');
  const port = serve ? Number(process.env.PORT ?? 8080) : 0;
  const withModel = Boolean(process.env.GOOGLE_API_KEY ?? process.env.GEMINI_API_KEY);
  const demo = await startEmbedded({ port });
  const stop = async () => {
    await demo.close();
  };
  try {
    process.stdout.write(
      `aiops-agent ${withModel ? `with ${process.env.GEMINI_MODEL ?? 'gemini-2.5-flash'}` : 'without a model (LLM_PROVIDER=none: the evidence decides)'} on a simulated cluster of ${demo.scenarios.length} scenarios\n\n`,
    );
    const results = [];
    for (const scenario of demo.scenarios) results.push(await replayScenario(demo.url, scenario));
    process.stdout.write(`${formatTable(results)}\n\n`);
    const correct = results.filter((r) => r.correct).length;
    process.stdout.write(`${correct}/${results.length} verdicts as labelled\n`);
    if (!serve) {
      await stop();
      process.exitCode = correct === results.length ? 0 : 1;
      return;
    }
    const example = demo.scenarios.find((s) => s.id === 'go-panic') ?? demo.scenarios[0];
    process.stdout.write(`\nServing at ${demo.url} (Ctrl-C to stop). Try:\n`);
    if (example) {
      process.stdout.write(
        `  curl -s ${demo.url}/a2a/analyze -H 'content-type: application/json' -d '${JSON.stringify(pluginRequestBody(example))}'\n`,
      );
    }
    process.stdout.write(
      `  curl -s ${demo.url}/.well-known/agent-card.json\n  curl -s ${demo.url}/metrics | grep aiops_agent_verdicts\n`,
    );
    const onSignal = () => {
      stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  } catch (err) {
    await stop();
    throw err;
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
