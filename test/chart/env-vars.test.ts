import { describe, expect, it } from 'vitest';
import { readChartFile, rootReadme } from './chart-files.js';

/** The service's variables as of this chart; kept to catch drift when `@aiops/agent` (built) is not importable. */
const KNOWN_ENV_VARS = [
  'PORT', 'HOST', 'LOG_LEVEL', 'KUBECONFIG', 'KUBE_CONTEXT', 'KUBE_TIMEOUT_MS', 'LLM_PROVIDER', 'GOOGLE_API_KEY',
  'GEMINI_API_KEY', 'GEMINI_MODEL', 'GEMINI_BASE_URL', 'LLM_TIMEOUT_MS', 'ON_MODEL_UNAVAILABLE', 'PROMETHEUS_URL',
  'PROMETHEUS_BEARER_TOKEN', 'PROMETHEUS_USERNAME', 'PROMETHEUS_PASSWORD', 'PROMETHEUS_PRESET', 'PROMETHEUS_QUERIES_FILE',
  'PROMETHEUS_TIMEOUT_MS', 'METRICS_WINDOW_SECONDS', 'GITHUB_TOKEN', 'GITHUB_APP_ID', 'GITHUB_APP_INSTALLATION_ID',
  'GITHUB_APP_PRIVATE_KEY', 'GITHUB_API_URL', 'GITHUB_HOST', 'PR_AUTHOR_MODE', 'GITHUB_REPO_ALLOWLIST', 'GITHUB_ISSUE_LABELS', 'GITHUB_DRY_RUN',
  'GITHUB_TIMEOUT_MS', 'PR_AUTHOR_BUDGET_MS', 'ANALYSIS_DEADLINE_MS', 'MAX_CONCURRENT_ANALYSES', 'BODY_LIMIT_BYTES',
  'LOG_TAIL_LINES', 'LOG_LIMIT_BYTES', 'LOG_SINCE_SECONDS', 'MAX_PODS_PER_SIDE', 'EVIDENCE_TOKEN_BUDGET',
  'REDACTION_EXTRA_PATTERNS', 'A2A_AUTH', 'A2A_TOKENS_FILE', 'A2A_SERVICE_ACCOUNT_AUTH', 'A2A_PUBLIC_URL',
  'A2A_MAX_TASKS', 'A2A_TASK_TTL_SECONDS',
];

/**
 * The service's own list (`ENV_VARS` of @aiops/agent) when it can be imported: vitest aliases only some packages to
 * sources, so this needs `pnpm build` (which `pnpm test` runs first). Without it, the list above stands in.
 */
async function serviceEnvVars(): Promise<{ source: string; names: string[] }> {
  // A computed specifier keeps tsc from type-checking the whole service as part of these chart checks.
  const agentPackage = '@aiops/agent';
  let agent: unknown;
  try {
    agent = await import(agentPackage);
  } catch (err) {
    if (!(err instanceof Error && /resolve|Cannot find/i.test(err.message))) throw err;
    return { source: 'the list in this test', names: KNOWN_ENV_VARS };
  }
  const envVars = (agent as { ENV_VARS?: unknown }).ENV_VARS;
  if (!Array.isArray(envVars)) throw new Error('@aiops/agent no longer exports ENV_VARS');
  return { source: '@aiops/agent ENV_VARS', names: envVars.map((v: { name: string }) => v.name) };
}

/** Variable names in the root README's configuration table, when there is one. */
function readmeEnvVars(): string[] {
  const readme = rootReadme() ?? '';
  return [...readme.matchAll(/^\|\s*`?([A-Z][A-Z0-9_]+)`?(?:\s*\/\s*`?([A-Z][A-Z0-9_]+)`?)?\s*\|/gm)].flatMap((m) => [m[1]!, ...(m[2] ? [m[2]] : [])]);
}

/** Variables the chart can set: ConfigMap keys and the Deployment's secret-backed env entries. */
function chartEnvVars(): Set<string> {
  const configMapKeys = [...readChartFile('templates/configmap.yaml').matchAll(/^ {2}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]!);
  const secretEnv = [...readChartFile('templates/deployment.yaml').matchAll(/"aiops-agent\.secretEnv" \(list \. "\w+" "([A-Z][A-Z0-9_]+)"\)/g)].map((m) => m[1]!);
  return new Set([...configMapKeys, ...secretEnv]);
}

describe('environment variables', () => {
  it('every variable the service reads is settable through the chart', async () => {
    const { names } = await serviceEnvVars();
    const settable = chartEnvVars();
    expect(names.filter((name) => !settable.has(name))).toEqual([]);
  });

  it('the stand-in list matches the service (when the service is importable)', async () => {
    const { source, names } = await serviceEnvVars();
    if (source === 'the list in this test') return;
    expect([...names].sort()).toEqual([...KNOWN_ENV_VARS].sort());
  });

  it('every variable of the root README table is settable through the chart', () => {
    const settable = chartEnvVars();
    expect(readmeEnvVars().filter((name) => !settable.has(name))).toEqual([]);
  });

  it('the chart sets no variable the service does not read', async () => {
    const { names } = await serviceEnvVars();
    expect([...chartEnvVars()].filter((name) => !names.includes(name))).toEqual([]);
  });

  it('credentials never go into the ConfigMap', () => {
    const secretNames = ['GOOGLE_API_KEY', 'GEMINI_API_KEY', 'PROMETHEUS_BEARER_TOKEN', 'PROMETHEUS_PASSWORD', 'GITHUB_TOKEN', 'GITHUB_APP_PRIVATE_KEY'];
    const configMap = readChartFile('templates/configmap.yaml');
    expect(secretNames.filter((name) => new RegExp(`^\\s*${name}:`, 'm').test(configMap))).toEqual([]);
    expect(configMap).not.toMatch(/\.Values\.secrets/);
  });
});
