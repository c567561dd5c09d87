/**
 * Configuration: the only place that reads the environment. Every variable is declared once here, with its default
 * and meaning (the README table and the Helm chart are checked against this list), and validated at start-up.
 */
import { readFileSync } from 'node:fs';

export interface EnvVar {
  name: string;
  default?: string;
  secret?: boolean;
  description: string;
}

export const ENV_VARS: EnvVar[] = [
  { name: 'PORT', default: '8080', description: 'listen port' },
  { name: 'HOST', default: '0.0.0.0', description: 'listen address' },
  { name: 'LOG_LEVEL', default: 'info', description: 'fatal, error, warn, info, debug, trace or silent' },
  { name: 'KUBECONFIG', description: 'kubeconfig path; in a pod the service account is used when unset' },
  { name: 'KUBE_CONTEXT', description: 'kubeconfig context (default: the current one)' },
  { name: 'KUBE_TIMEOUT_MS', default: '10000', description: 'timeout of each Kubernetes API call' },
  { name: 'LLM_PROVIDER', default: 'gemini when an API key is set, else none', description: 'gemini, or none to decide from the evidence alone' },
  { name: 'GOOGLE_API_KEY', secret: true, description: 'Gemini API key (GEMINI_API_KEY is accepted too)' },
  { name: 'GEMINI_API_KEY', secret: true, description: 'alternative name for GOOGLE_API_KEY' },
  { name: 'GEMINI_MODEL', default: 'gemini-2.5-flash', description: 'Gemini model' },
  { name: 'GEMINI_BASE_URL', description: 'Gemini endpoint override (proxy, gateway, tests)' },
  { name: 'LLM_TIMEOUT_MS', default: '30000', description: 'timeout of each model call' },
  { name: 'ON_MODEL_UNAVAILABLE', default: 'evidence', description: 'evidence: answer from the evidence when it is decisive; error: answer 503' },
  { name: 'PROMETHEUS_URL', description: 'Prometheus base URL; unset: pod health from the Kubernetes API only' },
  { name: 'PROMETHEUS_BEARER_TOKEN', secret: true, description: 'bearer token for Prometheus' },
  { name: 'PROMETHEUS_USERNAME', description: 'basic-auth user for Prometheus' },
  { name: 'PROMETHEUS_PASSWORD', secret: true, description: 'basic-auth password for Prometheus' },
  { name: 'PROMETHEUS_PRESET', default: 'pod', description: 'default queries: istio, nginx, pod or none' },
  { name: 'PROMETHEUS_QUERIES_FILE', description: 'JSON file of user-defined queries' },
  { name: 'PROMETHEUS_TIMEOUT_MS', default: '10000', description: 'timeout of each Prometheus query' },
  { name: 'METRICS_WINDOW_SECONDS', default: '600', description: 'metrics analysis window' },
  { name: 'GITHUB_TOKEN', secret: true, description: 'GitHub token for issues and draft PRs' },
  { name: 'GITHUB_APP_ID', description: 'GitHub App id (alternative to GITHUB_TOKEN)' },
  { name: 'GITHUB_APP_INSTALLATION_ID', description: 'GitHub App installation id' },
  { name: 'GITHUB_APP_PRIVATE_KEY', secret: true, description: 'GitHub App private key (PEM)' },
  { name: 'GITHUB_API_URL', default: 'https://api.github.com', description: 'GitHub API URL (GitHub Enterprise, tests)' },
  { name: 'GITHUB_HOST', default: 'from GITHUB_API_URL: github.com, or the Enterprise host', description: 'host that repository URLs must name; a request naming another host writes nothing' },
  { name: 'PR_AUTHOR_MODE', default: 'draft-pr', description: 'issue: issues only; suggest: issues with the fix as a suggested diff; draft-pr: a draft PR (a patch with red flags stays a suggested diff)' },
  { name: 'GITHUB_REPO_ALLOWLIST', description: 'comma-separated owner/repo or owner/* the PR author may write to (empty: none)' },
  { name: 'GITHUB_ISSUE_LABELS', default: 'aiops', description: 'comma-separated labels for issues (e.g. aiops,jules)' },
  { name: 'GITHUB_DRY_RUN', default: 'false', description: 'true: put the issue and patch in the answer and logs instead of GitHub' },
  { name: 'GITHUB_TIMEOUT_MS', default: '10000', description: 'timeout of each GitHub API call' },
  { name: 'PR_AUTHOR_BUDGET_MS', default: '3000', description: 'how long a verdict may wait for the PR author' },
  { name: 'ANALYSIS_DEADLINE_MS', default: '60000', description: 'deadline of one analysis (the plugin waits 5 minutes)' },
  { name: 'MAX_CONCURRENT_ANALYSES', default: '8', description: 'analyses in flight before answering 503' },
  { name: 'BODY_LIMIT_BYTES', default: '65536', description: 'largest accepted request body' },
  { name: 'LOG_TAIL_LINES', default: '2000', description: 'log lines read per container' },
  { name: 'LOG_LIMIT_BYTES', default: '1048576', description: 'log bytes read per container' },
  { name: 'LOG_SINCE_SECONDS', default: '900', description: 'age of the oldest log line read' },
  { name: 'MAX_PODS_PER_SIDE', default: '20', description: 'pods whose logs are read per side' },
  { name: 'EVIDENCE_TOKEN_BUDGET', default: '4000', description: 'size bound of the evidence sent to the model' },
  { name: 'REDACTION_EXTRA_PATTERNS', description: 'JSON array of extra regular expressions to redact, e.g. ["ACME-[0-9]{6}"] (a regex may contain commas)' },
  { name: 'A2A_AUTH', default: 'none', description: 'none, or bearer to require tokens on the A2A routes' },
  { name: 'A2A_TOKENS_FILE', secret: true, description: 'file of "token user" lines (mounted from a Secret)' },
  { name: 'A2A_SERVICE_ACCOUNT_AUTH', default: 'false', description: 'true: accept Kubernetes service-account tokens (TokenReview)' },
  { name: 'A2A_PUBLIC_URL', description: 'base URL advertised in the agent card (default: from each request\'s Host header)' },
  { name: 'A2A_MAX_TASKS', default: '1000', description: 'tasks kept in the A2A task store' },
  { name: 'A2A_TASK_TTL_SECONDS', default: '3600', description: 'age after which A2A tasks are evicted' },
];

export interface Config {
  port: number;
  host: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  kube: { kubeconfigPath?: string; context?: string; timeoutMs: number };
  llm: { provider: 'none' } | { provider: 'gemini'; apiKey: string; model: string; baseUrl?: string; timeoutMs: number };
  onModelUnavailable: 'evidence' | 'error';
  prometheus?: { url: string; bearerToken?: string; username?: string; password?: string; timeoutMs: number };
  prometheusPreset: 'istio' | 'nginx' | 'pod' | 'none';
  prometheusQueries?: unknown[];
  metricsWindowSeconds: number;
  github?: {
    token?: string;
    app?: { appId: string; installationId: string; privateKey: string };
    apiUrl: string;
    /** The web host repository URLs must name. */
    host: string;
    mode: 'issue' | 'suggest' | 'draft-pr';
    repoAllowlist: string[];
    labels: string[];
    dryRun: boolean;
    timeoutMs: number;
    budgetMs: number;
  };
  analysisDeadlineMs: number;
  maxConcurrentAnalyses: number;
  bodyLimitBytes: number;
  logs: { tailLines: number; limitBytes: number; sinceSeconds: number; maxPodsPerSide: number };
  evidenceTokenBudget: number;
  redactionExtraPatterns: string[];
  a2a: { auth: 'none' | 'bearer'; tokens: Record<string, string>; serviceAccountAuth: boolean; publicUrl?: string; maxTasks: number; taskTtlSeconds: number };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** The web host of a GitHub API URL: api.github.com → github.com; https://ghe.example.com/api/v3 → ghe.example.com. */
function webHostOf(apiUrl: string): string {
  try {
    const host = new URL(apiUrl).hostname.toLowerCase();
    return host.startsWith('api.') ? host.slice('api.'.length) : host;
  } catch {
    return 'github.com';
  }
}

/** Reads and validates the environment; collects every problem before failing, so one start shows them all. */
export function loadConfig(env: Env = process.env, readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): Config {
  const problems: string[] = [];
  const str = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v ? v : undefined;
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = str(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name}: must be an integer from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return n;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const raw = str(name);
    if (raw === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(raw)) {
      problems.push(`${name}: must be one of ${allowed.join(', ')} (got "${raw}")`);
      return fallback;
    }
    return raw as T;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = str(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['true', '1', 'yes'].includes(raw)) return true;
    if (['false', '0', 'no'].includes(raw)) return false;
    problems.push(`${name}: must be true or false (got "${raw}")`);
    return fallback;
  };
  const url = (name: string): string | undefined => {
    const raw = str(name);
    if (raw === undefined) return undefined;
    try {
      const u = new URL(raw);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http(s)');
      return raw.replace(/\/+$/, '');
    } catch {
      problems.push(`${name}: must be an http(s) URL (got "${raw}")`);
      return undefined;
    }
  };
  const list = (name: string): string[] => (str(name) ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  // A JSON array, not a comma list: a regular expression may itself contain commas (`[0-9]{2,4}`).
  const regexArray = (name: string): string[] => {
    const raw = str(name);
    if (raw === undefined) return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      parsed = undefined;
    }
    if (!Array.isArray(parsed) || !parsed.every((p): p is string => typeof p === 'string')) {
      problems.push(`${name}: must be a JSON array of regular expressions, e.g. ["ACME-[0-9]{6}"] (got ${JSON.stringify(raw)})`);
      return [];
    }
    const valid: string[] = [];
    for (const p of parsed) {
      try {
        new RegExp(p);
        valid.push(p);
      } catch {
        problems.push(`${name}: "${p}" is not a valid regular expression`);
      }
    }
    return valid;
  };

  const port = int('PORT', 8080, 0, 65535);
  const apiKey = str('GOOGLE_API_KEY') ?? str('GEMINI_API_KEY');
  const provider = oneOf('LLM_PROVIDER', ['gemini', 'none'] as const, apiKey ? 'gemini' : 'none');
  let llm: Config['llm'] = { provider: 'none' };
  if (provider === 'gemini') {
    if (!apiKey) problems.push('LLM_PROVIDER: gemini needs GOOGLE_API_KEY (or GEMINI_API_KEY); set LLM_PROVIDER=none to run without a model');
    const baseUrl = url('GEMINI_BASE_URL');
    llm = {
      provider: 'gemini',
      apiKey: apiKey ?? '',
      model: str('GEMINI_MODEL') ?? 'gemini-2.5-flash',
      timeoutMs: int('LLM_TIMEOUT_MS', 30_000, 100, 600_000),
      ...(baseUrl ? { baseUrl } : {}),
    };
  }

  const promUrl = url('PROMETHEUS_URL');
  let prometheusQueries: unknown[] | undefined;
  const queriesFile = str('PROMETHEUS_QUERIES_FILE');
  if (queriesFile) {
    try {
      const parsed: unknown = JSON.parse(readFile(queriesFile));
      if (!Array.isArray(parsed)) throw new Error('not a JSON array');
      prometheusQueries = parsed;
    } catch (err) {
      problems.push(`PROMETHEUS_QUERIES_FILE: cannot read a JSON array of queries from "${queriesFile}" (${err instanceof Error ? err.message : String(err)})`);
    }
  }

  const githubToken = str('GITHUB_TOKEN');
  const appId = str('GITHUB_APP_ID');
  const installationId = str('GITHUB_APP_INSTALLATION_ID');
  const privateKey = str('GITHUB_APP_PRIVATE_KEY');
  if ((appId || installationId || privateKey) && !(appId && installationId && privateKey)) {
    problems.push('GITHUB_APP_ID, GITHUB_APP_INSTALLATION_ID and GITHUB_APP_PRIVATE_KEY must be set together');
  }
  const dryRun = bool('GITHUB_DRY_RUN', false);
  const githubApiUrl = url('GITHUB_API_URL') ?? 'https://api.github.com';
  const githubHost = (str('GITHUB_HOST') ?? webHostOf(githubApiUrl)).toLowerCase();
  if (!/^[a-z0-9.-]+$/.test(githubHost)) problems.push(`GITHUB_HOST: must be a host name like github.com (got "${githubHost}")`);
  const prAuthorMode = oneOf('PR_AUTHOR_MODE', ['issue', 'suggest', 'draft-pr'] as const, 'draft-pr');
  const allowlist = list('GITHUB_REPO_ALLOWLIST');
  for (const entry of allowlist) {
    if (!/^[A-Za-z0-9_.-]+\/([A-Za-z0-9_.-]+|\*)$/.test(entry)) problems.push(`GITHUB_REPO_ALLOWLIST: "${entry}" is not owner/repo or owner/*`);
  }
  const github: Config['github'] =
    githubToken || (appId && installationId && privateKey) || dryRun
      ? {
          ...(githubToken ? { token: githubToken } : {}),
          ...(appId && installationId && privateKey ? { app: { appId, installationId, privateKey: privateKey.replace(/\\n/g, '\n') } } : {}),
          apiUrl: githubApiUrl,
          host: githubHost,
          mode: prAuthorMode,
          repoAllowlist: allowlist,
          labels: str('GITHUB_ISSUE_LABELS') !== undefined ? list('GITHUB_ISSUE_LABELS') : ['aiops'],
          dryRun,
          timeoutMs: int('GITHUB_TIMEOUT_MS', 10_000, 100, 120_000),
          budgetMs: int('PR_AUTHOR_BUDGET_MS', 3000, 0, 120_000),
        }
      : undefined;

  const redactionExtraPatterns = regexArray('REDACTION_EXTRA_PATTERNS');

  const a2aAuth = oneOf('A2A_AUTH', ['none', 'bearer'] as const, 'none');
  const tokens: Record<string, string> = {};
  const tokensFile = str('A2A_TOKENS_FILE');
  if (tokensFile) {
    try {
      for (const line of readFile(tokensFile).split('\n')) {
        const [token, user] = line.trim().split(/\s+/);
        if (token && !token.startsWith('#')) tokens[token] = user ?? 'a2a-client';
      }
    } catch (err) {
      problems.push(`A2A_TOKENS_FILE: cannot read "${tokensFile}" (${err instanceof Error ? err.message : String(err)})`);
    }
  }
  const serviceAccountAuth = bool('A2A_SERVICE_ACCOUNT_AUTH', false);
  if (a2aAuth === 'bearer' && Object.keys(tokens).length === 0 && !serviceAccountAuth) {
    problems.push('A2A_AUTH: bearer needs A2A_TOKENS_FILE with at least one token, or A2A_SERVICE_ACCOUNT_AUTH=true');
  }

  const kubeconfigPath = str('KUBECONFIG');
  const kubeContext = str('KUBE_CONTEXT');
  const config: Config = {
    port,
    host: str('HOST') ?? '0.0.0.0',
    logLevel: oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    kube: { timeoutMs: int('KUBE_TIMEOUT_MS', 10_000, 100, 300_000), ...(kubeconfigPath ? { kubeconfigPath } : {}), ...(kubeContext ? { context: kubeContext } : {}) },
    llm,
    onModelUnavailable: oneOf('ON_MODEL_UNAVAILABLE', ['evidence', 'error'] as const, 'evidence'),
    prometheusPreset: oneOf('PROMETHEUS_PRESET', ['istio', 'nginx', 'pod', 'none'] as const, 'pod'),
    metricsWindowSeconds: int('METRICS_WINDOW_SECONDS', 600, 30, 86_400),
    analysisDeadlineMs: int('ANALYSIS_DEADLINE_MS', 60_000, 1000, 280_000),
    maxConcurrentAnalyses: int('MAX_CONCURRENT_ANALYSES', 8, 1, 1000),
    bodyLimitBytes: int('BODY_LIMIT_BYTES', 65_536, 1024, 10_485_760),
    logs: {
      tailLines: int('LOG_TAIL_LINES', 2000, 10, 100_000),
      limitBytes: int('LOG_LIMIT_BYTES', 1_048_576, 1024, 67_108_864),
      sinceSeconds: int('LOG_SINCE_SECONDS', 900, 10, 604_800),
      maxPodsPerSide: int('MAX_PODS_PER_SIDE', 20, 1, 500),
    },
    evidenceTokenBudget: int('EVIDENCE_TOKEN_BUDGET', 4000, 500, 200_000),
    redactionExtraPatterns,
    a2a: {
      auth: a2aAuth,
      tokens,
      serviceAccountAuth,
      maxTasks: int('A2A_MAX_TASKS', 1000, 1, 1_000_000),
      taskTtlSeconds: int('A2A_TASK_TTL_SECONDS', 3600, 10, 604_800),
    },
  };
  if (promUrl) {
    const bearer = str('PROMETHEUS_BEARER_TOKEN');
    const username = str('PROMETHEUS_USERNAME');
    const password = str('PROMETHEUS_PASSWORD');
    config.prometheus = {
      url: promUrl,
      timeoutMs: int('PROMETHEUS_TIMEOUT_MS', 10_000, 100, 120_000),
      ...(bearer ? { bearerToken: bearer } : {}),
      ...(username ? { username } : {}),
      ...(password ? { password } : {}),
    };
  }
  if (prometheusQueries) config.prometheusQueries = prometheusQueries;
  const publicUrl = url('A2A_PUBLIC_URL');
  if (publicUrl) config.a2a.publicUrl = publicUrl;
  if (github) config.github = github;
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
