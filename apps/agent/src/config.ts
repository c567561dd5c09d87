/**
 * Configuration: the only place that reads the environment. Every variable is one row of SETTINGS (its parser
 * with its default, its meaning, whether it is a secret); the Config type, validation, the README table and
 * the Helm chart check all derive from it. Add a variable by adding a row.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { parseHost } from '@aiops/a2a';
import { loadKubeConfig } from '@aiops/kube';
import { UserQueriesSchema } from '@aiops/metrics';
import { z } from 'zod';
import { slotsForMemory } from './admission.js';
import { defaultEvidenceThreads } from './evidence-pool.js';

interface Setting<T> {
  schema: z.ZodType<T, string | undefined>;
  /** The default as the README shows it. */
  default?: string;
  description: string;
  secret?: boolean;
}

/** Unset and blank are the same: the default applies. */
const blank = (raw: string | undefined): raw is undefined => raw === undefined || raw.trim() === '';

function parsed<T>(
  parse: (raw: string, fail: (message: string) => never) => T,
): z.ZodType<T | undefined, string | undefined>;
function parsed<T>(
  parse: (raw: string, fail: (message: string) => never) => T,
  fallback: T,
): z.ZodType<T, string | undefined>;
function parsed<T>(
  parse: (raw: string, fail: (message: string) => never) => T,
  fallback?: T,
): z.ZodType<T | undefined, string | undefined> {
  class Invalid extends Error {}
  return z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (blank(raw)) return fallback;
      const value = raw.trim();
      try {
        return parse(value, (message) => {
          throw new Invalid(message);
        });
      } catch (err) {
        if (!(err instanceof Invalid)) throw err;
        ctx.addIssue({ code: 'custom', message: `${err.message} (got "${value}")` });
        return z.NEVER;
      }
    });
}

const text = (description: string, extra: { secret?: boolean } = {}): Setting<string | undefined> => ({
  schema: parsed((v) => v),
  description,
  ...extra,
});

const textWithDefault = (fallback: string, description: string): Setting<string> => ({
  schema: parsed((v) => v, fallback),
  default: fallback,
  description,
});

const integer = (fallback: number, min: number, max: number, description: string): Setting<number> => ({
  schema: parsed((raw, fail) => {
    const n = Number(raw);
    return Number.isInteger(n) && n >= min && n <= max ? n : fail(`must be an integer from ${min} to ${max}`);
  }, fallback),
  default: String(fallback),
  description,
});

const member =
  <T extends string>(allowed: readonly T[]) =>
  (raw: string, fail: (message: string) => never): T =>
    (allowed as readonly string[]).includes(raw) ? (raw as T) : fail(`must be one of ${allowed.join(', ')}`);

const oneOf = <const T extends string>(allowed: readonly T[], fallback: T, description: string): Setting<T> => ({
  schema: parsed(member(allowed), fallback),
  default: fallback,
  description,
});

/** A choice whose default depends on other variables (so unset stays undefined here). */
const oneOfOrDerived = <const T extends string>(
  allowed: readonly T[],
  shownDefault: string,
  description: string,
): Setting<T | undefined> => ({
  schema: parsed(member(allowed)),
  default: shownDefault,
  description,
});

const optionalInteger = (min: number, max: number, description: string): Setting<number | undefined> => ({
  schema: parsed((raw, fail) => {
    const n = Number(raw);
    return Number.isInteger(n) && n >= min && n <= max ? n : fail(`must be an integer from ${min} to ${max}`);
  }),
  description,
});

const PricesSchema = z.record(
  z.string(),
  z.strictObject({ input: z.number().nonnegative(), output: z.number().nonnegative() }),
);

const flag = (fallback: boolean, description: string): Setting<boolean> => ({
  schema: parsed((raw, fail) => {
    const v = raw.toLowerCase();
    if (['true', '1', 'yes'].includes(v)) return true;
    if (['false', '0', 'no'].includes(v)) return false;
    return fail('must be true or false');
  }, fallback),
  default: String(fallback),
  description,
});

function httpUrl(raw: string, fail: (message: string) => never): string {
  let protocol: string;
  try {
    protocol = new URL(raw).protocol;
  } catch {
    return fail('must be an http(s) URL');
  }
  return protocol === 'http:' || protocol === 'https:' ? raw.replace(/\/+$/, '') : fail('must be an http(s) URL');
}

const url = (description: string): Setting<string | undefined> => ({ schema: parsed(httpUrl), description });
const urlWithDefault = (fallback: string, description: string): Setting<string> => ({
  schema: parsed(httpUrl, fallback),
  default: fallback,
  description,
});

const splitList = (raw: string): string[] =>
  raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const list = (
  description: string,
  check?: (entry: string) => string | undefined,
  fallback: string[] = [],
): Setting<string[]> => ({
  schema: parsed((raw, fail) => {
    const entries = splitList(raw);
    const problems = check ? entries.map(check).filter((p): p is string => p !== undefined) : [];
    return problems.length > 0 ? fail(problems.join('; ')) : entries;
  }, fallback),
  ...(fallback.length > 0 ? { default: fallback.join(',') } : {}),
  description,
});

/** A JSON array, not a comma list: a regular expression may itself contain commas (`[0-9]{2,4}`). */
const regexArray = (description: string): Setting<string[]> => ({
  schema: parsed((raw, fail) => {
    let patterns: unknown;
    try {
      patterns = JSON.parse(raw);
    } catch {
      patterns = undefined;
    }
    if (!Array.isArray(patterns) || !patterns.every((p): p is string => typeof p === 'string'))
      return fail('must be a JSON array of regular expressions, e.g. ["ACME-[0-9]{6}"]');
    const invalid = patterns.filter((p) => {
      try {
        new RegExp(p);
        return false;
      } catch {
        return true;
      }
    });
    return invalid.length > 0
      ? fail(invalid.map((p) => `"${p}" is not a valid regular expression`).join('; '))
      : patterns;
  }, []),
  description,
});

const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** `{"caller": ["namespace" | "*", ...]}`, every name checked. */
function parseNamespaceGrants(json: unknown): Record<string, string[]> {
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    throw new Error('not a JSON object of caller → namespaces');
  const grants: Record<string, string[]> = {};
  for (const [caller, namespaces] of Object.entries(json as Record<string, unknown>)) {
    if (!Array.isArray(namespaces)) throw new Error(`"${caller}": not a list of namespaces`);
    for (const ns of namespaces)
      if (typeof ns !== 'string' || (ns !== '*' && !NAMESPACE.test(ns)))
        throw new Error(`"${caller}": ${JSON.stringify(ns)} is not a namespace name or "*"`);
    grants[caller] = namespaces as string[];
  }
  return grants;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Every variable the service reads, in README order. */
export const SETTINGS = {
  PORT: integer(8080, 0, 65535, 'listen port'),
  HOST: textWithDefault('0.0.0.0', 'listen address'),
  LOG_LEVEL: oneOf(LOG_LEVELS, 'info', 'fatal, error, warn, info, debug, trace or silent'),
  KUBECONFIG: text('kubeconfig path; in a pod the service account is used when unset'),
  KUBE_CONTEXT: text('kubeconfig context (default: the current one)'),
  KUBE_TIMEOUT_MS: integer(
    10_000,
    100,
    300_000,
    'timeout of each Kubernetes API call, its retries included (a call the API server throttles, 429 or a 5xx with Retry-After, is sent again after the wait it names, up to 5 times, when the wait fits)',
  ),
  LLM_PROVIDER: oneOfOrDerived(
    ['gemini', 'openai', 'none'],
    'gemini when an API key is set, else none',
    'gemini, openai (any OpenAI-compatible endpoint: OpenAI, vLLM, Ollama, LiteLLM, Azure OpenAI), or none to decide from the evidence alone',
  ),
  LLM_MODELS: list(
    'several models at once, comma-separated provider:model (e.g. `gemini:gemini-2.5-flash,openai:qwen3-8b`); run in parallel on the same evidence, each reported in modelResults; overrides LLM_PROVIDER, GEMINI_MODEL and OPENAI_MODEL',
    (entry) =>
      /^(gemini|openai):\S+$/.test(entry)
        ? undefined
        : `"${entry}" is not provider:model with provider gemini or openai`,
  ),
  GOOGLE_API_KEY: text('Gemini API key (GEMINI_API_KEY is accepted too)', { secret: true }),
  GEMINI_API_KEY: text('alternative name for GOOGLE_API_KEY', { secret: true }),
  GEMINI_MODEL: textWithDefault('gemini-2.5-flash', 'Gemini model'),
  GEMINI_BASE_URL: url('Gemini endpoint override (proxy, gateway, tests)'),
  OPENAI_BASE_URL: urlWithDefault(
    'https://api.openai.com/v1',
    'OpenAI-compatible endpoint, up to /v1 (vLLM `http://vllm:8000/v1`, Ollama `http://ollama:11434/v1`, Azure `https://<resource>.openai.azure.com/openai/v1`)',
  ),
  OPENAI_API_KEY: text('API key of the OpenAI-compatible endpoint (optional for local servers)', { secret: true }),
  OPENAI_MODEL: text(
    'model name as the endpoint serves it (e.g. qwen3-8b, llama3.1:8b, an Azure deployment); required with LLM_PROVIDER=openai',
  ),
  OPENAI_STRUCTURED_OUTPUT: oneOf(
    ['json_schema', 'tools', 'json_mode', 'text'] as const,
    'json_schema',
    'how the endpoint gives structured answers: json_schema (response_format), tools (function calling), json_mode (json_object), or text (parsed); every answer is validated either way',
  ),
  LLM_TIMEOUT_MS: integer(30_000, 100, 600_000, 'timeout of each model call'),
  LLM_MAX_OUTPUT_TOKENS: integer(
    2048,
    64,
    65_536,
    'output-token limit of each model answer; an answer cut off by it is invalid',
  ),
  LLM_CONTEXT_TOKENS: optionalInteger(
    1024,
    10_000_000,
    "the model's context window; the evidence budget becomes at most LLM_CONTEXT_TOKENS − 2 × LLM_MAX_OUTPUT_TOKENS − 1000 (unset: EVIDENCE_TOKEN_BUDGET alone)",
  ),
  GEMINI_REQUESTS_PER_MINUTE: integer(0, 0, 1_000_000, 'Gemini calls per minute, shared by all analyses (0: no limit)'),
  GEMINI_TOKENS_PER_MINUTE: integer(
    0,
    0,
    1_000_000_000,
    'Gemini tokens per minute, shared by all analyses (0: no limit)',
  ),
  OPENAI_REQUESTS_PER_MINUTE: integer(
    0,
    0,
    1_000_000,
    'OpenAI-compatible calls per minute, shared by all analyses (0: no limit)',
  ),
  OPENAI_TOKENS_PER_MINUTE: integer(
    0,
    0,
    1_000_000_000,
    'OpenAI-compatible tokens per minute, shared by all analyses (0: no limit)',
  ),
  LLM_PRICES: {
    schema: parsed((raw, fail) => {
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch {
        return fail('must be JSON like {"gemini-2.5-flash": {"input": 0.3, "output": 2.5}}');
      }
      const result = PricesSchema.safeParse(json);
      return result.success
        ? result.data
        : fail('must be JSON like {"gemini-2.5-flash": {"input": 0.3, "output": 2.5}} (USD per million tokens)');
    }, {}),
    description:
      'JSON {"model": {"input": usd, "output": usd}} per million tokens, for the cost counter aiops_agent_model_cost_usd_total',
  },
  ON_MODEL_UNAVAILABLE: oneOf(
    ['evidence', 'error'] as const,
    'evidence',
    'evidence: answer from the evidence when it is decisive; error: answer 503',
  ),
  PROMETHEUS_URL: url('Prometheus base URL; unset: pod health from the Kubernetes API only'),
  PROMETHEUS_BEARER_TOKEN: text('bearer token for Prometheus', { secret: true }),
  PROMETHEUS_USERNAME: text('basic-auth user for Prometheus'),
  PROMETHEUS_PASSWORD: text('basic-auth password for Prometheus', { secret: true }),
  PROMETHEUS_PRESET: oneOf(
    ['istio', 'nginx', 'pod', 'none'] as const,
    'pod',
    'default queries: istio, nginx, pod or none',
  ),
  PROMETHEUS_QUERIES_FILE: text(
    'JSON file of user-defined queries; a query that is not valid PromQL (or names an unknown placeholder) stops the start, naming it',
  ),
  PROMETHEUS_TIMEOUT_MS: integer(10_000, 100, 120_000, 'timeout of each Prometheus query'),
  METRICS_WINDOW_SECONDS: integer(600, 30, 86_400, 'metrics analysis window'),
  GITHUB_TOKEN: text('GitHub token for issues and draft PRs', { secret: true }),
  GITHUB_APP_ID: text('GitHub App id (alternative to GITHUB_TOKEN)'),
  GITHUB_APP_INSTALLATION_ID: text('GitHub App installation id'),
  GITHUB_APP_PRIVATE_KEY: text('GitHub App private key (PEM)', { secret: true }),
  GITHUB_API_URL: urlWithDefault('https://api.github.com', 'GitHub API URL (GitHub Enterprise, tests)'),
  GITHUB_HOST: {
    schema: parsed((raw, fail) =>
      /^[a-z0-9.-]+$/.test(raw.toLowerCase()) ? raw.toLowerCase() : fail('must be a host name like github.com'),
    ),
    default: 'from GITHUB_API_URL: github.com, or the Enterprise host',
    description: 'host that repository URLs must name; a request naming another host writes nothing',
  },
  PR_AUTHOR_MODE: oneOf(
    ['issue', 'suggest', 'draft-pr'],
    'draft-pr',
    'issue: issues only; suggest: issues with the fix as a suggested diff; draft-pr: a draft PR (a patch with red flags stays a suggested diff)',
  ),
  GITHUB_REPO_ALLOWLIST: list(
    'comma-separated owner/repo or owner/* the PR author may write to (empty: none)',
    (entry) =>
      // "." and ".." are not repository names: in an API path they would step out of the repository.
      /^[A-Za-z0-9_.-]+\/([A-Za-z0-9_.-]+|\*)$/.test(entry) &&
      !entry.split('/').some((part) => part === '.' || part === '..')
        ? undefined
        : `"${entry}" is not owner/repo or owner/*`,
  ),
  GITHUB_ISSUE_LABELS: list('comma-separated labels for issues (e.g. aiops,jules)', undefined, ['aiops']),
  GITHUB_DRY_RUN: flag(false, 'true: put the issue and patch in the answer and logs instead of GitHub'),
  GITHUB_TIMEOUT_MS: integer(10_000, 100, 120_000, 'timeout of each GitHub API call'),
  PR_AUTHOR_BUDGET_MS: integer(3000, 0, 120_000, 'how long a verdict may wait for the PR author'),
  ANALYSIS_DEADLINE_MS: integer(60_000, 1000, 280_000, 'deadline of one analysis (the plugin waits 5 minutes)'),
  MAX_CONCURRENT_ANALYSES: {
    schema: parsed((raw, fail) => {
      const n = Number(raw);
      return Number.isInteger(n) && n >= 1 && n <= 1000 ? n : fail('must be an integer from 1 to 1000');
    }),
    default: 'from the memory limit: (85% of it − 192 MiB − 48 MiB per evidence worker) / 2 MiB, 2 to 256',
    description: 'analyses running at once; more wait for a slot (MAX_QUEUED_ANALYSES)',
  },
  MAX_QUEUED_ANALYSES: integer(
    1000,
    0,
    100_000,
    'analyses that may wait for a slot; a request is refused with a retryable 503 only when the queue is full or its wait would exceed ANALYSIS_DEADLINE_MS',
  ),
  MAX_GATHERING_ANALYSES: {
    ...optionalInteger(1, 1000, ''),
    default: '16 × the number of cores',
    description:
      'admitted analyses reading and judging their evidence at once, at most (the CPU-heavy part: cluster reads, log templating, metrics); the others wait their turn, the wait for the model is not limited',
  },
  // 10 ms: at 20, /healthz p99 in a burst of 200 was 37–68 ms in `pnpm bench:load`; at 10, 22–34 ms, ~4 % fewer analyses/s.
  EVENT_LOOP_DELAY_TARGET_MS: integer(
    10,
    0,
    10_000,
    'event-loop lag the service steers to by lowering how many analyses gather evidence at once, never below one per core (so health probes and A2A streams keep answering in a burst); 0: always up to MAX_GATHERING_ANALYSES',
  ),
  MEMORY_LIMIT_BYTES: {
    schema: parsed((raw, fail) => {
      const n = Number(raw);
      return Number.isInteger(n) && n >= 64 * 1024 * 1024
        ? n
        : fail('must be an integer of at least 67108864 (64 MiB)');
    }),
    default: "the container's cgroup memory limit, else half the machine's memory",
    description: 'memory the service may use; sizes MAX_CONCURRENT_ANALYSES when that is unset',
  },
  BODY_LIMIT_BYTES: integer(65_536, 1024, 10_485_760, 'largest accepted request body'),
  REQUEST_TIMEOUT_MS: integer(
    30_000,
    1000,
    600_000,
    'longest a client may take to send a whole request (408 after); answers are not bounded by it',
  ),
  HEADERS_TIMEOUT_MS: integer(
    10_000,
    1000,
    600_000,
    'longest a client may take to send the request headers (at most REQUEST_TIMEOUT_MS)',
  ),
  LOG_TAIL_LINES: integer(2000, 10, 100_000, 'log lines read per container'),
  LOG_LIMIT_BYTES: integer(1_048_576, 1024, 67_108_864, 'log bytes read per container'),
  LOG_SINCE_SECONDS: integer(900, 10, 604_800, 'age of the oldest log line read'),
  MAX_PODS_PER_SIDE: integer(20, 1, 500, 'pods whose logs are read per side'),
  EVIDENCE_WORKERS: {
    ...optionalInteger(0, 64, ''),
    default: 'the number of cores − 1 (at least 1)',
    description:
      'worker threads for the log evidence of large analyses (parsing, templating, signature diff), so health checks, A2A streams and small analyses keep answering; 0 keeps it on the request thread',
  },
  EVIDENCE_WORKER_MIN_BYTES: integer(
    65_536,
    0,
    1_073_741_824,
    'an analysis whose log text (all containers read) reaches this size has its evidence computed on a worker thread; below it, the hand-off would cost more than it saves',
  ),
  EVIDENCE_WORKER_HEAP_MB: integer(
    0,
    0,
    65_536,
    "old-generation heap of each evidence worker, MiB (0: Node's default); an analysis whose logs need more fails with a retryable 503 instead of growing the process",
  ),
  EVIDENCE_TOKEN_BUDGET: integer(4000, 500, 200_000, 'size bound of the evidence sent to the model'),
  REDACTION_EXTRA_PATTERNS: regexArray(
    'JSON array of extra regular expressions to redact, e.g. `["ACME-[0-9]{6}"]` (a regex may contain commas)',
  ),
  A2A_AUTH: oneOf(['none', 'bearer'] as const, 'none', 'none, or bearer to require tokens on the A2A routes'),
  A2A_TOKENS_FILE: text('file of "token caller-name" lines (mounted from a Secret); every token must name its caller'),
  A2A_SERVICE_ACCOUNT_AUTH: flag(false, 'true: accept Kubernetes service-account tokens (TokenReview)'),
  A2A_PUBLIC_URL: url(
    "base URL advertised in the agent card (default: the request's Host when A2A_ALLOWED_HOSTS lists it, else the address the connection arrived on)",
  ),
  A2A_ALLOWED_HOSTS: list(
    "comma-separated host or host:port values the agent card may take from a request's Host header (when A2A_PUBLIC_URL is unset)",
    (entry) => (parseHost(entry) ? undefined : `"${entry}" is not a host or host:port`),
  ),
  A2A_MAX_TASKS: integer(1000, 1, 1_000_000, 'tasks kept in the A2A task store'),
  A2A_TASK_TTL_SECONDS: integer(3600, 10, 604_800, 'age after which A2A tasks are evicted'),
  A2A_TASK_LEASE_SECONDS: integer(
    30,
    1,
    3600,
    'with REDIS_URL: how long the A2A tasks of a replica that stopped renewing its heartbeat (it died) stay WORKING before another replica marks them FAILED (retryable)',
  ),
  A2A_NAMESPACES_FILE: text(
    'JSON file {"caller": ["namespace", ...]} of the namespaces each A2A caller (token user or system:serviceaccount:ns:name) may analyse; "*" grants all; unset: any namespace',
  ),
  A2A_TOKEN_AUDIENCE: textWithDefault(
    'aiops-agent',
    'audience service-account tokens must be minted for (TokenReview spec.audiences, checked in status.audiences)',
  ),
  ANALYZE_NAMESPACES: {
    schema: parsed((raw, fail) => {
      const names = splitList(raw);
      const bad = names.filter((ns) => !NAMESPACE.test(ns));
      return bad.length > 0 ? fail(`not namespace names: ${bad.join(', ')}`) : names;
    }),
    description:
      'comma-separated namespaces the routes without credentials (/a2a/analyze, /web/analyze, /flagger/{hook}) may analyse; unset: any',
  },
  FLAGGER_HOOK_WAIT_MS: integer(
    8000,
    0,
    600_000,
    "how long a Flagger hook call waits for a running analysis before answering that it is still running (keep it below the hook's timeout, 10 s by default)",
  ),
  FLAGGER_REANALYZE_SECONDS: integer(
    60,
    0,
    86_400,
    'age after which a Flagger canary revision whose verdict was promote or inconclusive is analysed again (a reject stands for the revision)',
  ),
  VERDICT_EVENTS: flag(
    true,
    'true: write each verdict as a Kubernetes Event on the Rollout or Flagger Canary (needs create/patch on events)',
  ),
  REDIS_URL: {
    schema: parsed((raw, fail) => {
      let protocol: string;
      try {
        protocol = new URL(raw).protocol;
      } catch {
        return fail('must be a redis:// or rediss:// URL');
      }
      return protocol === 'redis:' || protocol === 'rediss:' ? raw : fail('must be a redis:// or rediss:// URL');
    }),
    description:
      'redis:// or rediss:// URL (may carry a password): the analysis history, the diagnosis cache, the analyses in progress and the A2A tasks are shared there by every replica (the same measurement landing on two pods runs once; GetTask, ListTasks and CancelTask answer on any pod); unset: in this process',
    secret: true,
  },
  EVIDENCE_CACHE_TTL_SECONDS: integer(
    900,
    0,
    86_400,
    'how long a model diagnosis is reused for a re-measurement whose evidence is unchanged (same pods and restarts, canary-only signatures and their rates, metric classifications); 0: always ask the model',
  ),
  HISTORY_MAX_ANALYSES: integer(
    500,
    1,
    1_000_000,
    'analyses kept in the in-memory history (oldest evicted; /ui and "seen in the previous measurement")',
  ),
  HISTORY_MAX_BYTES: integer(
    67_108_864,
    65_536,
    17_179_869_184,
    'bytes of analyses kept in the in-memory history (oldest evicted)',
  ),
} satisfies Record<string, Setting<unknown>>;

type Settings = typeof SETTINGS;
/** The environment after validation: one typed value per variable, defaults applied. */
export type EnvValues = { [K in keyof Settings]: Settings[K] extends Setting<infer T> ? T : never };

export interface EnvVar {
  name: string;
  default?: string;
  secret?: boolean;
  description: string;
}

/** The table as a list (README, chart check). */
export const ENV_VARS: EnvVar[] = Object.entries(SETTINGS).map(([name, s]: [string, Setting<unknown>]) => ({
  name,
  description: s.description,
  ...(s.default !== undefined ? { default: s.default } : {}),
  ...(s.secret ? { secret: true } : {}),
}));

/** The README's configuration table, rendered from SETTINGS (a test keeps the README equal to it). */
export function renderEnvTable(): string {
  const rows = ENV_VARS.map(
    (v) => `| \`${v.name}\` | ${v.default ?? '—'} | ${v.description}${v.secret ? ' (secret)' : ''} |`,
  );
  return ['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n');
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Every variable parsed on its own, so one start names every bad one. */
function parseEnv(env: Env, problems: string[]): Partial<EnvValues> {
  const values: Record<string, unknown> = {};
  for (const [name, setting] of Object.entries(SETTINGS)) {
    const result = setting.schema.safeParse(env[name]);
    if (result.success) values[name] = result.data;
    else problems.push(...result.error.issues.map((issue) => `${name}: ${issue.message}`));
  }
  return values;
}

/** The web host of a GitHub API URL: api.github.com → github.com; https://ghe.example.com/api/v3 → ghe.example.com. */
function webHostOf(apiUrl: string): string {
  try {
    const host = new URL(apiUrl).hostname.toLowerCase();
    return host.startsWith('api.') ? host.slice('api.'.length) : host;
  } catch {
    return 'github.com';
  }
}

/** One model the service asks. Keys stay inside the config object; the model adapters keep them in closures. */
export type ModelSpec =
  | { provider: 'gemini'; model: string; apiKey: string; baseUrl?: string }
  | {
      provider: 'openai';
      model: string;
      baseUrl: string;
      apiKey?: string;
      structuredOutput: EnvValues['OPENAI_STRUCTURED_OUTPUT'];
    };

/** The models to ask: LLM_MODELS when set, else the one of LLM_PROVIDER (none: no model). */
function modelSpecs(v: EnvValues): ModelSpec[] {
  const geminiKey = v.GOOGLE_API_KEY ?? v.GEMINI_API_KEY;
  const spec = (provider: 'gemini' | 'openai', model: string): ModelSpec =>
    provider === 'gemini'
      ? { provider, model, apiKey: geminiKey ?? '', ...(v.GEMINI_BASE_URL ? { baseUrl: v.GEMINI_BASE_URL } : {}) }
      : {
          provider,
          model,
          baseUrl: v.OPENAI_BASE_URL,
          ...(v.OPENAI_API_KEY ? { apiKey: v.OPENAI_API_KEY } : {}),
          structuredOutput: v.OPENAI_STRUCTURED_OUTPUT,
        };
  if (v.LLM_MODELS.length > 0)
    return v.LLM_MODELS.map((entry) => {
      const at = entry.indexOf(':');
      return spec(entry.slice(0, at) as 'gemini' | 'openai', entry.slice(at + 1));
    });
  const provider = v.LLM_PROVIDER ?? (geminiKey ? 'gemini' : 'none');
  if (provider === 'gemini') return [spec('gemini', v.GEMINI_MODEL)];
  if (provider === 'openai') return [spec('openai', v.OPENAI_MODEL ?? '')];
  return [];
}

/** Room the prompt needs besides the evidence: instructions, question, and a repair turn's echo. */
const PROMPT_OVERHEAD_TOKENS = 1000;

/** The evidence budget: EVIDENCE_TOKEN_BUDGET, made smaller when the model's context window is small. */
function evidenceBudget(v: Pick<EnvValues, 'EVIDENCE_TOKEN_BUDGET' | 'LLM_CONTEXT_TOKENS' | 'LLM_MAX_OUTPUT_TOKENS'>) {
  if (v.LLM_CONTEXT_TOKENS === undefined) return v.EVIDENCE_TOKEN_BUDGET;
  return Math.min(v.EVIDENCE_TOKEN_BUDGET, v.LLM_CONTEXT_TOKENS - 2 * v.LLM_MAX_OUTPUT_TOKENS - PROMPT_OVERHEAD_TOKENS);
}

/** The smallest evidence budget worth a model call. */
const MIN_EVIDENCE_BUDGET = 500;

/** The service's configuration, shaped by what each part needs. */
function toConfig(
  v: EnvValues,
  files: {
    prometheusQueries?: z.output<typeof UserQueriesSchema>;
    a2aTokens: Record<string, string>;
    namespaceGrants?: Record<string, string[]>;
    memoryLimitBytes: number;
  },
) {
  const models = modelSpecs(v);
  const app =
    v.GITHUB_APP_ID && v.GITHUB_APP_INSTALLATION_ID && v.GITHUB_APP_PRIVATE_KEY
      ? {
          appId: v.GITHUB_APP_ID,
          installationId: v.GITHUB_APP_INSTALLATION_ID,
          privateKey: v.GITHUB_APP_PRIVATE_KEY.replace(/\\n/g, '\n'),
        }
      : undefined;
  return {
    port: v.PORT,
    host: v.HOST,
    logLevel: v.LOG_LEVEL,
    kube: { kubeconfigPath: v.KUBECONFIG, context: v.KUBE_CONTEXT, timeoutMs: v.KUBE_TIMEOUT_MS },
    llm: {
      /** gemini, openai, several (LLM_MODELS) or none. */
      provider: models.length === 0 ? 'none' : models.length > 1 ? 'several' : (models[0]?.provider ?? 'none'),
      models,
      timeoutMs: v.LLM_TIMEOUT_MS,
      maxOutputTokens: v.LLM_MAX_OUTPUT_TOKENS,
      rateLimits: {
        gemini: { requestsPerMinute: v.GEMINI_REQUESTS_PER_MINUTE, tokensPerMinute: v.GEMINI_TOKENS_PER_MINUTE },
        openai: { requestsPerMinute: v.OPENAI_REQUESTS_PER_MINUTE, tokensPerMinute: v.OPENAI_TOKENS_PER_MINUTE },
      },
      prices: v.LLM_PRICES,
    },
    onModelUnavailable: v.ON_MODEL_UNAVAILABLE,
    prometheus: v.PROMETHEUS_URL
      ? {
          url: v.PROMETHEUS_URL,
          bearerToken: v.PROMETHEUS_BEARER_TOKEN,
          username: v.PROMETHEUS_USERNAME,
          password: v.PROMETHEUS_PASSWORD,
          timeoutMs: v.PROMETHEUS_TIMEOUT_MS,
        }
      : undefined,
    prometheusPreset: v.PROMETHEUS_PRESET,
    prometheusQueries: files.prometheusQueries,
    metricsWindowSeconds: v.METRICS_WINDOW_SECONDS,
    github:
      v.GITHUB_TOKEN || app || v.GITHUB_DRY_RUN
        ? {
            token: v.GITHUB_TOKEN,
            app,
            apiUrl: v.GITHUB_API_URL,
            /** The web host repository URLs must name. */
            host: v.GITHUB_HOST ?? webHostOf(v.GITHUB_API_URL),
            mode: v.PR_AUTHOR_MODE,
            repoAllowlist: v.GITHUB_REPO_ALLOWLIST,
            labels: v.GITHUB_ISSUE_LABELS,
            dryRun: v.GITHUB_DRY_RUN,
            timeoutMs: v.GITHUB_TIMEOUT_MS,
            budgetMs: v.PR_AUTHOR_BUDGET_MS,
          }
        : undefined,
    analysisDeadlineMs: v.ANALYSIS_DEADLINE_MS,
    maxConcurrentAnalyses:
      v.MAX_CONCURRENT_ANALYSES ??
      slotsForMemory(files.memoryLimitBytes, v.EVIDENCE_WORKERS ?? defaultEvidenceThreads(), v.EVIDENCE_WORKER_HEAP_MB),
    maxQueuedAnalyses: v.MAX_QUEUED_ANALYSES,
    gathering: {
      max: v.MAX_GATHERING_ANALYSES ?? 16 * availableParallelism(),
      targetDelayMs: v.EVENT_LOOP_DELAY_TARGET_MS,
    },
    memoryLimitBytes: files.memoryLimitBytes,
    bodyLimitBytes: v.BODY_LIMIT_BYTES,
    requestTimeoutMs: v.REQUEST_TIMEOUT_MS,
    headersTimeoutMs: v.HEADERS_TIMEOUT_MS,
    logs: {
      tailLines: v.LOG_TAIL_LINES,
      limitBytes: v.LOG_LIMIT_BYTES,
      sinceSeconds: v.LOG_SINCE_SECONDS,
      maxPodsPerSide: v.MAX_PODS_PER_SIDE,
    },
    evidenceWorkers: {
      threads: v.EVIDENCE_WORKERS ?? defaultEvidenceThreads(),
      minBytes: v.EVIDENCE_WORKER_MIN_BYTES,
      heapMb: v.EVIDENCE_WORKER_HEAP_MB,
    },
    evidenceTokenBudget: evidenceBudget(v),
    redactionExtraPatterns: v.REDACTION_EXTRA_PATTERNS,
    a2a: {
      auth: v.A2A_AUTH,
      tokens: files.a2aTokens,
      serviceAccountAuth: v.A2A_SERVICE_ACCOUNT_AUTH,
      tokenAudience: v.A2A_TOKEN_AUDIENCE,
      /** Caller → namespaces it may analyse; undefined: any namespace. */
      namespaceGrants: files.namespaceGrants,
      publicUrl: v.A2A_PUBLIC_URL,
      allowedHosts: v.A2A_ALLOWED_HOSTS,
      maxTasks: v.A2A_MAX_TASKS,
      taskTtlSeconds: v.A2A_TASK_TTL_SECONDS,
      taskLeaseSeconds: v.A2A_TASK_LEASE_SECONDS,
    },
    /** Namespaces the plugin route may analyse; undefined: any. */
    analyzeNamespaces: v.ANALYZE_NAMESPACES,
    history: { maxAnalyses: v.HISTORY_MAX_ANALYSES, maxBytes: v.HISTORY_MAX_BYTES },
    evidenceCacheTtlSeconds: v.EVIDENCE_CACHE_TTL_SECONDS,
    redisUrl: v.REDIS_URL,
    verdictEvents: v.VERDICT_EVENTS,
    flagger: { hookWaitMs: v.FLAGGER_HOOK_WAIT_MS, reanalyzeSeconds: v.FLAGGER_REANALYZE_SECONDS },
  };
}

export type Config = ReturnType<typeof toConfig>;

/** The container's memory limit (cgroup v2, then v1); undefined outside a limited cgroup. */
function cgroupMemoryLimit(readFile: (path: string) => string): number | undefined {
  for (const path of ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes']) {
    try {
      const limit = Number(readFile(path).trim());
      // v1 reports "no limit" as a huge number, v2 as "max" (NaN here).
      if (Number.isSafeInteger(limit) && limit > 0 && limit < 2 ** 50) return limit;
    } catch {
      /* not this cgroup version */
    }
  }
  return undefined;
}

/** Reads and validates the environment; collects every problem before failing, so one start shows them all. */
export function loadConfig(
  env: Env = process.env,
  readFile: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): Config {
  const problems: string[] = [];
  const v = parseEnv(env, problems);

  // Rules between variables, checked on whatever parsed.
  const apiKey = v.GOOGLE_API_KEY ?? v.GEMINI_API_KEY;
  const listed = v.LLM_MODELS ?? [];
  if (listed.length > 0 && v.LLM_PROVIDER === 'none')
    problems.push('LLM_MODELS: cannot be used with LLM_PROVIDER=none (unset one of them)');
  const wantsGemini = listed.length > 0 ? listed.some((m) => m.startsWith('gemini:')) : v.LLM_PROVIDER === 'gemini';
  if (wantsGemini && !apiKey) {
    problems.push(
      `${listed.length > 0 ? 'LLM_MODELS' : 'LLM_PROVIDER'}: gemini needs GOOGLE_API_KEY (or GEMINI_API_KEY); set LLM_PROVIDER=none to run without a model`,
    );
  }
  if (listed.length === 0 && v.LLM_PROVIDER === 'openai' && !v.OPENAI_MODEL)
    problems.push('LLM_PROVIDER: openai needs OPENAI_MODEL (the model name the endpoint serves, e.g. qwen3-8b)');
  if (new Set(listed).size !== listed.length) problems.push('LLM_MODELS: lists a model twice');
  if (
    v.LLM_CONTEXT_TOKENS !== undefined &&
    v.LLM_MAX_OUTPUT_TOKENS !== undefined &&
    v.EVIDENCE_TOKEN_BUDGET !== undefined &&
    evidenceBudget(v as EnvValues) < MIN_EVIDENCE_BUDGET
  )
    problems.push(
      `LLM_CONTEXT_TOKENS: ${v.LLM_CONTEXT_TOKENS} leaves less than ${MIN_EVIDENCE_BUDGET} tokens of evidence after 2 × LLM_MAX_OUTPUT_TOKENS (${v.LLM_MAX_OUTPUT_TOKENS}) and ${PROMPT_OVERHEAD_TOKENS} for the instructions; lower LLM_MAX_OUTPUT_TOKENS`,
    );
  const appParts = [v.GITHUB_APP_ID, v.GITHUB_APP_INSTALLATION_ID, v.GITHUB_APP_PRIVATE_KEY];
  if (appParts.some(Boolean) && !appParts.every(Boolean)) {
    problems.push('GITHUB_APP_ID, GITHUB_APP_INSTALLATION_ID and GITHUB_APP_PRIVATE_KEY must be set together');
  }

  if (v.KUBE_CONTEXT) {
    // The context must exist in the kubeconfig the service will use, or no analysis could ever run.
    try {
      loadKubeConfig({ context: v.KUBE_CONTEXT, ...(v.KUBECONFIG ? { kubeconfigPath: v.KUBECONFIG } : {}) });
    } catch (err) {
      problems.push(
        `KUBE_CONTEXT: ${err instanceof Error ? err.message.replace(/^kubeconfig\.context: /, '') : String(err)}`,
      );
    }
  }

  let prometheusQueries: z.output<typeof UserQueriesSchema> | undefined;
  if (v.PROMETHEUS_QUERIES_FILE) {
    const file = v.PROMETHEUS_QUERIES_FILE;
    try {
      const result = UserQueriesSchema.safeParse(JSON.parse(readFile(file)));
      if (result.success) prometheusQueries = result.data;
      else {
        const issues = result.error.issues.map(
          (i: z.core.$ZodIssue) => `${i.path.length > 0 ? `[${i.path.join('].[')}]` : 'the file'}: ${i.message}`,
        );
        problems.push(`PROMETHEUS_QUERIES_FILE: "${file}" is not a JSON array of queries (${issues.join('; ')})`);
      }
    } catch (err) {
      problems.push(
        `PROMETHEUS_QUERIES_FILE: cannot read a JSON array of queries from "${file}" (${err instanceof Error ? err.message : String(err)})`,
      );
    }
  }

  const a2aTokens: Record<string, string> = {};
  if (v.A2A_TOKENS_FILE) {
    try {
      readFile(v.A2A_TOKENS_FILE)
        .split('\n')
        .forEach((line, index) => {
          const [token, user] = line.trim().split(/\s+/);
          if (!token || token.startsWith('#')) return;
          // Tasks are scoped by caller name: two nameless tokens would share one caller and see each other's tasks.
          if (!user)
            problems.push(
              `A2A_TOKENS_FILE: line ${index + 1} has a token but no caller name (write "token caller-name")`,
            );
          else a2aTokens[token] = user;
        });
    } catch (err) {
      problems.push(
        `A2A_TOKENS_FILE: cannot read "${v.A2A_TOKENS_FILE}" (${err instanceof Error ? err.message : String(err)})`,
      );
    }
  }
  if (v.A2A_AUTH === 'bearer' && Object.keys(a2aTokens).length === 0 && v.A2A_SERVICE_ACCOUNT_AUTH === false) {
    problems.push('A2A_AUTH: bearer needs A2A_TOKENS_FILE with at least one token, or A2A_SERVICE_ACCOUNT_AUTH=true');
  }

  if (
    v.REQUEST_TIMEOUT_MS !== undefined &&
    v.HEADERS_TIMEOUT_MS !== undefined &&
    v.HEADERS_TIMEOUT_MS > v.REQUEST_TIMEOUT_MS
  ) {
    problems.push(
      `HEADERS_TIMEOUT_MS: must not exceed REQUEST_TIMEOUT_MS (${v.HEADERS_TIMEOUT_MS} > ${v.REQUEST_TIMEOUT_MS})`,
    );
  }

  let namespaceGrants: Record<string, string[]> | undefined;
  if (v.A2A_NAMESPACES_FILE) {
    try {
      namespaceGrants = parseNamespaceGrants(JSON.parse(readFile(v.A2A_NAMESPACES_FILE)));
    } catch (err) {
      problems.push(
        `A2A_NAMESPACES_FILE: cannot read caller grants from "${v.A2A_NAMESPACES_FILE}" (${err instanceof Error ? err.message : String(err)})`,
      );
    }
    if (v.A2A_AUTH !== 'bearer')
      problems.push('A2A_NAMESPACES_FILE: needs A2A_AUTH=bearer (without authentication every caller is the same)');
  }

  if (problems.length > 0) throw new ConfigError(problems);
  const memoryLimitBytes = v.MEMORY_LIMIT_BYTES ?? cgroupMemoryLimit(readFile) ?? Math.floor(totalmem() / 2);
  return toConfig(v as EnvValues, {
    prometheusQueries,
    a2aTokens,
    memoryLimitBytes,
    ...(namespaceGrants ? { namespaceGrants } : {}),
  });
}
