/**
 * The built service on all four fakes (Kubernetes, Prometheus, Gemini, GitHub), the faults each dependency can
 * suffer, and the one rule every answer must keep under a fault: a retryable 503 without `promote`, or the verdict
 * the same process gives for the same scenario with no fault. Shared by the fault matrix and the chaos soak.
 */
import { readFileSync } from 'node:fs';
import {
  gitHubFault,
  pluginRequestBody,
  responders,
  startFakeGemini,
  startFakeGitHub,
  type FakeGemini,
  type FakeGitHub,
  type FaultInjector,
  type FaultSpec,
  type Scenario,
} from '@aiops/testkit';
import { startKubeFixture, type KubeFixture } from './fakes.js';
import { metricSum, postJson, startServiceProcess, type ServiceProcess } from './service-process.js';

export type Dependency = 'model' | 'kubernetes' | 'prometheus' | 'github';

export interface ChaosFault {
  dependency: Dependency;
  /** Short and unique, e.g. `model:html`. */
  name: string;
  spec: FaultSpec;
}

const fault = (dependency: Dependency, name: string, spec: FaultSpec): ChaosFault => ({
  dependency,
  name: `${dependency}:${name}`,
  spec,
});
const LOGS = { path: /\/log$/ };
const PODS = { method: 'GET', path: /\/pods$/ };
const PROMETHEUS_API = { path: /^\/api\/v1\// };

/** Every fault the matrix and the soak inject, by dependency. */
export const CHAOS_FAULTS: readonly ChaosFault[] = [
  fault('model', 'html', { kind: 'html' }),
  fault('model', 'empty', { kind: 'empty' }),
  fault('model', 'cut', { kind: 'cut' }),
  fault('model', 'reset', { kind: 'reset' }),
  fault('model', 'wrong-content-type', { kind: 'wrong-content-type', contentType: 'text/html' }),
  fault('model', 'huge', { kind: 'huge' }),
  fault('model', 'stall', { kind: 'stall' }),
  fault('model', 'half-json', { kind: 'half-json' }),
  // A 429 that names no wait. One that does (Retry-After, Gemini's RetryInfo) holds every call to the provider
  // until then, which would keep the next faults from striking: that behaviour has its own test (e2e/openai).
  fault('model', '429', {
    kind: 'status',
    status: 429,
    body: {
      error: { code: 429, message: 'Resource has been exhausted (e.g. check quota).', status: 'RESOURCE_EXHAUSTED' },
    },
  }),
  fault('model', '500', { kind: 'status', status: 500 }),
  fault('kubernetes', 'reset', { kind: 'reset', match: PODS }),
  fault('kubernetes', 'half-json', { kind: 'half-json', match: PODS }),
  fault('kubernetes', 'gone', { kind: 'gone', match: PODS }),
  fault('kubernetes', 'endless-log', { kind: 'endless', match: LOGS, intervalMs: 50 }),
  fault('kubernetes', 'log-reset', { kind: 'reset', match: LOGS }),
  fault('kubernetes', 'events-html', { kind: 'html', match: { path: /\/events$/ } }),
  fault('kubernetes', '500', { kind: 'status', status: 500 }),
  // API Priority and Fairness turning calls away: retried after the named wait while it fits in the call's budget.
  fault('kubernetes', '429', { kind: 'status', status: 429, headers: { 'retry-after': '1' }, match: PODS }),
  fault('kubernetes', 'log-503-retry-after', {
    kind: 'status',
    status: 503,
    headers: { 'retry-after': '1' },
    match: LOGS,
  }),
  fault('kubernetes', 'hang', { kind: 'hang', match: LOGS }),
  fault('prometheus', '500', { kind: 'status', status: 500, match: PROMETHEUS_API }),
  fault('prometheus', 'garbage', { kind: 'garbage', match: PROMETHEUS_API }),
  fault('prometheus', 'html', { kind: 'html', match: PROMETHEUS_API }),
  fault('prometheus', 'half-json', { kind: 'half-json', match: PROMETHEUS_API }),
  fault('prometheus', 'reset', { kind: 'reset', match: PROMETHEUS_API }),
  fault('prometheus', 'hang', { kind: 'hang', match: PROMETHEUS_API }),
  fault('github', '500', gitHubFault('server-error')),
  fault('github', 'rate-limit', gitHubFault('rate-limit')),
  fault('github', 'reset', { kind: 'reset' }),
  fault('github', 'hang', { kind: 'hang' }),
];

export function chaosFault(name: string): ChaosFault {
  const found = CHAOS_FAULTS.find((f) => f.name === name);
  if (!found) throw new Error(`no chaos fault named ${name}`);
  return found;
}

export interface Answer {
  status: number;
  promote?: boolean;
  dependency?: string;
  code?: string;
  retryAfter?: number;
}

export interface ChaosRig {
  service: ServiceProcess;
  kube: KubeFixture;
  gemini: FakeGemini;
  github: FakeGitHub;
  faultsOf(dependency: Dependency): FaultInjector;
  analyze(scenario: Scenario): Promise<Answer>;
  /** Requests still open on the four fakes. */
  openRequests(): number;
  /** Resident memory of the service process, in bytes (Linux /proc). */
  rssBytes(): number;
  unhandledFailures(): Promise<number>;
  inFlight(): Promise<number>;
  close(): Promise<void>;
}

export const RIG_TIMEOUTS = { dependencyMs: 1500, deadlineMs: 30_000 };

export async function startChaosRig(env: Record<string, string> = {}): Promise<ChaosRig> {
  const kube = await startKubeFixture();
  const gemini = await startFakeGemini({ responder: responders.heuristic });
  const github = await startFakeGitHub({ acceptedTokens: ['ghp_fake_token_for_chaos'] });
  const timeout = String(RIG_TIMEOUTS.dependencyMs);
  const service = await startServiceProcess({
    ...kube.env,
    GOOGLE_API_KEY: 'fake-key-for-tests',
    GEMINI_BASE_URL: gemini.url,
    GITHUB_TOKEN: 'ghp_fake_token_for_chaos',
    GITHUB_API_URL: github.url,
    // The corpus names its repositories on github.com; the fake API's own host would match none of them.
    GITHUB_HOST: 'github.com',
    GITHUB_REPO_ALLOWLIST: 'acme/*',
    KUBE_TIMEOUT_MS: timeout,
    PROMETHEUS_TIMEOUT_MS: timeout,
    LLM_TIMEOUT_MS: timeout,
    GITHUB_TIMEOUT_MS: timeout,
    ANALYSIS_DEADLINE_MS: String(RIG_TIMEOUTS.deadlineMs),
    ON_MODEL_UNAVAILABLE: 'evidence',
    ...env,
  });
  const injectors: Record<Dependency, FaultInjector> = {
    model: gemini.faults,
    kubernetes: kube.kube.faults,
    prometheus: kube.prometheus.faults,
    github: github.faults,
  };
  return {
    service,
    kube,
    gemini,
    github,
    faultsOf: (dependency) => injectors[dependency],
    async analyze(scenario) {
      const { status, headers, json } = await postJson(`${service.url}/a2a/analyze`, pluginRequestBody(scenario));
      const error = json.error as { code?: string; dependency?: string } | undefined;
      const answer: Answer = { status };
      if ('promote' in json) answer.promote = json.promote as boolean;
      if (error?.dependency !== undefined) answer.dependency = error.dependency;
      if (error?.code !== undefined) answer.code = error.code;
      if (headers.get('retry-after') !== null) answer.retryAfter = Number(headers.get('retry-after'));
      return answer;
    },
    openRequests: () =>
      kube.kube.openRequests + kube.prometheus.openRequests + gemini.openRequests + github.openRequests,
    rssBytes() {
      const status = readFileSync(`/proc/${service.pid}/status`, 'utf8');
      const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
      return kb === undefined ? 0 : Number(kb) * 1024;
    },
    unhandledFailures: () => metricSum(service.url, 'aiops_agent_unhandled_failures_total'),
    inFlight: () => metricSum(service.url, 'aiops_agent_analyses_in_flight'),
    async close() {
      await service.stop();
      await github.close();
      await gemini.close();
      await kube.close();
    },
  };
}

/**
 * Why an answer under a fault breaks the rule, or undefined when it keeps it: a 503 that says retry and carries
 * no verdict, or a 200 whose verdict is the one the same scenario gets with no fault.
 */
export function faultViolation(answer: Answer, cleanVerdict: boolean): string | undefined {
  if (answer.status === 503) {
    if (answer.promote !== undefined) return '503 carrying a verdict';
    if (!(answer.retryAfter !== undefined && answer.retryAfter > 0)) return '503 without Retry-After';
    return undefined;
  }
  if (answer.status !== 200) return `status ${answer.status}`;
  if (answer.promote !== cleanVerdict)
    return `verdict promote=${String(answer.promote)} where the evidence alone gives promote=${String(cleanVerdict)}`;
  return undefined;
}
