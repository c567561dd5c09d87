/**
 * The chaos soak: seeded analyses of corpus scenarios on the built service, each with a fault drawn at random
 * across the four dependencies (or none). After every analysis it checks the rules: the process is alive, nothing
 * reached the unhandled-failure path, the answer is a retryable 503 or the verdict of a no-fault run of the same
 * scenario, the analyses in flight and the fakes' open requests return to zero, and RSS stays under a limit.
 */
import { createRng, scenarios as corpus, type Scenario } from '@aiops/testkit';
import { CHAOS_FAULTS, faultViolation, startChaosRig, type Answer, type ChaosFault } from './chaos.js';

export interface SoakOptions {
  seed: string;
  runs: number;
  /** Peak RSS of the service above this is a violation. */
  maxRssBytes?: number;
  /** Share of runs with a fault (the rest are clean runs, checked the same way). */
  faultRate?: number;
  log?: (line: string) => void;
}

export interface SoakReport {
  seed: string;
  runs: number;
  baselineAnalyses: number;
  faultsInjected: Record<string, number>;
  /** Injected faults that struck at least one request (a fault on a call the analysis did not make does not). */
  faultsStruck: Record<string, number>;
  verdicts: number;
  promote: number;
  reject: number;
  unavailable: number;
  verdictsCausedByFaults: number;
  processExits: number;
  unhandledFailures: number;
  leftOpen: number;
  peakRssBytes: number;
  /** Clean verdicts that differ from the corpus label (the policy's accuracy, not a fault's doing). */
  cleanVerdictsOffLabel: string[];
  violations: string[];
}

const DEFAULT_MAX_RSS = 1024 * 1024 * 1024;

/**
 * A GitHub fault strikes only when the PR author writes, and it writes once per failure: its key names the canary's
 * revision, and the no-fault baseline of the same scenario has already written. So a GitHub fault is drawn on a
 * failing scenario with a repository, served for that run at a revision the service has not seen.
 */
const WRITES_TO_GITHUB = corpus.filter(
  (s) => s.repoUrl !== undefined && s.rollout !== undefined && !s.expected.promote,
);

function atNewRevision(scenario: Scenario, run: number): Scenario {
  if (!scenario.rollout) return scenario;
  return { ...scenario, rollout: { ...scenario.rollout, revision: `${scenario.rollout.revision}-soak${run}` } };
}

async function settled(check: () => Promise<number> | number, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if ((await check()) === 0) return true;
    if (Date.now() > until) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const log = options.log ?? (() => undefined);
  const maxRss = options.maxRssBytes ?? DEFAULT_MAX_RSS;
  const faultRate = options.faultRate ?? 0.85;
  const rng = createRng(`soak:${options.seed}`);
  const report: SoakReport = {
    seed: options.seed,
    runs: 0,
    baselineAnalyses: 0,
    faultsInjected: {},
    faultsStruck: {},
    verdicts: 0,
    promote: 0,
    reject: 0,
    unavailable: 0,
    verdictsCausedByFaults: 0,
    processExits: 0,
    unhandledFailures: 0,
    leftOpen: 0,
    peakRssBytes: 0,
    cleanVerdictsOffLabel: [],
    violations: [],
  };
  const rig = await startChaosRig();
  const baselines = new Map<string, boolean>();

  const count = (answer: Answer) => {
    if (answer.status === 200) {
      report.verdicts += 1;
      if (answer.promote) report.promote += 1;
      else report.reject += 1;
    } else if (answer.status === 503) report.unavailable += 1;
  };

  async function baselineOf(scenario: Scenario): Promise<boolean | undefined> {
    const known = baselines.get(scenario.id);
    if (known !== undefined) return known;
    const clean = await rig.analyze(scenario);
    report.baselineAnalyses += 1;
    if (clean.status !== 200 || clean.promote === undefined) {
      report.violations.push(`${scenario.id}: a run without a fault answered ${clean.status}`);
      return undefined;
    }
    if (clean.promote !== scenario.expected.promote) report.cleanVerdictsOffLabel.push(scenario.id);
    baselines.set(scenario.id, clean.promote);
    return clean.promote;
  }

  try {
    for (let run = 1; run <= options.runs; run++) {
      let scenario = rng.pick(corpus);
      const chaos: ChaosFault | undefined = rng.chance(faultRate) ? rng.pick(CHAOS_FAULTS) : undefined;
      if (chaos?.dependency === 'github') scenario = rng.pick(WRITES_TO_GITHUB);
      const label = `run ${run} ${scenario.id} ${chaos?.name ?? 'no fault'}`;
      const baseline = await baselineOf(scenario);
      if (baseline === undefined) continue;

      const measured = chaos?.dependency === 'github' ? atNewRevision(scenario, run) : scenario;
      if (measured !== scenario) rig.kube.kube.loadScenarios([measured]);
      const injected = chaos ? rig.faultsOf(chaos.dependency).inject(chaos.spec) : undefined;
      let answer: Answer;
      try {
        answer = await rig.analyze(measured);
      } catch (err) {
        answer = { status: 0 };
        report.violations.push(`${label}: no answer (${err instanceof Error ? err.message : String(err)})`);
      } finally {
        injected?.remove();
        if (measured !== scenario) rig.kube.kube.loadScenarios([scenario]);
      }
      report.runs += 1;
      count(answer);
      if (chaos) {
        report.faultsInjected[chaos.name] = (report.faultsInjected[chaos.name] ?? 0) + 1;
        if ((injected?.hits ?? 0) > 0) report.faultsStruck[chaos.name] = (report.faultsStruck[chaos.name] ?? 0) + 1;
        // Every GitHub fault is set up to strike (see WRITES_TO_GITHUB); one that did not tested nothing.
        else if (chaos.dependency === 'github') report.violations.push(`${label}: the GitHub fault struck no request`);
      }
      const violation = faultViolation(answer, baseline);
      if (violation !== undefined && answer.status !== 0) {
        report.violations.push(`${label}: ${violation}`);
        if (answer.status === 200) report.verdictsCausedByFaults += 1;
      }

      if (!rig.service.alive) {
        report.processExits += 1;
        report.violations.push(`${label}: the process exited`);
        break;
      }
      const unhandled = await rig.unhandledFailures();
      if (unhandled > report.unhandledFailures)
        report.violations.push(`${label}: ${unhandled - report.unhandledFailures} unhandled failure(s)`);
      report.unhandledFailures = unhandled;
      if (!(await settled(() => rig.inFlight(), 30_000)) || !(await settled(() => rig.openRequests(), 30_000))) {
        report.leftOpen += 1;
        report.violations.push(`${label}: analyses in flight or requests open on the fakes did not return to zero`);
      }
      report.peakRssBytes = Math.max(report.peakRssBytes, rig.rssBytes());
      log(
        `${label}: ${answer.status}${answer.promote === undefined ? '' : ` promote=${String(answer.promote)}`}${answer.dependency ? ` (${answer.dependency})` : ''}`,
      );
    }
    if (report.peakRssBytes > maxRss)
      report.violations.push(`peak RSS ${mib(report.peakRssBytes)} above the limit of ${mib(maxRss)}`);
  } finally {
    if (rig.service.alive) await rig.close();
    else {
      report.processExits = Math.max(report.processExits, 1);
      await rig.close().catch(() => undefined);
    }
  }
  return report;
}

export function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
}

export function formatSoakReport(report: SoakReport): string {
  const injected = Object.values(report.faultsInjected).reduce((a, b) => a + b, 0);
  return [
    `chaos soak, seed ${report.seed}`,
    `runs                           ${report.runs} (+ ${report.baselineAnalyses} no-fault baseline analyses)`,
    `faults injected                ${injected}, by kind (injected / struck a request):`,
    Object.keys(report.faultsInjected)
      .sort()
      .map((k) => `  ${k.padEnd(32)} ${report.faultsInjected[k]} / ${report.faultsStruck[k] ?? 0}`)
      .join('\n') || '  (none)',
    `verdicts                       ${report.verdicts} (promote ${report.promote}, reject ${report.reject})`,
    `503s                           ${report.unavailable}`,
    `verdicts caused by faults      ${report.verdictsCausedByFaults}`,
    `process exits                  ${report.processExits}`,
    `unhandled failures (/metrics)  ${report.unhandledFailures}`,
    `left in flight or open         ${report.leftOpen}`,
    `peak RSS                       ${mib(report.peakRssBytes)}`,
    `clean verdicts off the label   ${report.cleanVerdictsOffLabel.length ? report.cleanVerdictsOffLabel.join(', ') : 'none'}`,
    `violations                     ${report.violations.length}`,
    ...report.violations.map((v) => `  ${v}`),
    `replay: pnpm soak --seed ${report.seed} --runs ${report.runs}`,
  ].join('\n');
}
