import { mkdtemp, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, defaultEvidenceThreads, loadConfig } from '../src/index.js';

function problems(env: Record<string, string>, fileContent = ''): string[] {
  try {
    loadConfig(env, () => fileContent);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('loadConfig', () => {
  it('has working defaults with no environment at all (no model, no Prometheus, no GitHub)', () => {
    const c = loadConfig({}, () => '');
    expect(c).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      llm: { provider: 'none' },
      analysisDeadlineMs: 60000,
      onModelUnavailable: 'evidence',
    });
    expect(c.prometheus).toBeUndefined();
    expect(c.github).toBeUndefined();
  });
  it('leaves the request thread a core: one evidence worker per core but one, at least one', () => {
    expect([1, 2, 4, 8].map((cores) => defaultEvidenceThreads(cores))).toEqual([1, 1, 3, 7]);
    expect(loadConfig({}, () => '').evidenceWorkers.threads).toBe(Math.max(1, availableParallelism() - 1));
    expect(loadConfig({ EVIDENCE_WORKERS: '0' }, () => '').evidenceWorkers.threads).toBe(0);
  });
  it('turns the model on when a key is set', () => {
    expect(loadConfig({ GOOGLE_API_KEY: 'k' }, () => '').llm).toMatchObject({
      provider: 'gemini',
      models: [{ provider: 'gemini', model: 'gemini-2.5-flash' }],
    });
    expect(loadConfig({ GEMINI_API_KEY: 'k', LLM_PROVIDER: 'none' }, () => '').llm.provider).toBe('none');
  });
  it('names every bad variable at once', () => {
    const p = problems({
      PORT: 'eighty',
      LLM_PROVIDER: 'gemini',
      PROMETHEUS_URL: 'ftp://x',
      ON_MODEL_UNAVAILABLE: 'maybe',
      GITHUB_DRY_RUN: 'perhaps',
    });
    expect(p.join('\n')).toMatch(/PORT/);
    expect(p.join('\n')).toMatch(/LLM_PROVIDER: gemini needs GOOGLE_API_KEY/);
    expect(p.join('\n')).toMatch(/PROMETHEUS_URL/);
    expect(p.join('\n')).toMatch(/ON_MODEL_UNAVAILABLE/);
    expect(p.join('\n')).toMatch(/GITHUB_DRY_RUN/);
  });
  it('reads A2A tokens from a file and requires them for bearer auth', () => {
    expect(problems({ A2A_AUTH: 'bearer' })[0]).toMatch(/A2A_AUTH/);
    const c = loadConfig(
      { A2A_AUTH: 'bearer', A2A_TOKENS_FILE: '/tokens' },
      () => 'tok-1 release-bot\n# comment\ntok-2 incident-bot\n',
    );
    expect(c.a2a.tokens).toEqual({ 'tok-1': 'release-bot', 'tok-2': 'incident-bot' });
  });
  it('validates the GitHub allowlist and the App triple', () => {
    expect(problems({ GITHUB_TOKEN: 't', GITHUB_REPO_ALLOWLIST: 'acme/cart,not a repo' }).join()).toMatch(/not a repo/);
    expect(problems({ GITHUB_APP_ID: '1' }).join()).toMatch(/must be set together/);
  });
  it('reads REDACTION_EXTRA_PATTERNS as a JSON array, so a pattern may contain commas', () => {
    expect(
      loadConfig({ REDACTION_EXTRA_PATTERNS: '["ACME-[0-9]{2,6}", "internal-[a-z]+-key"]' }, () => '')
        .redactionExtraPatterns,
    ).toEqual(['ACME-[0-9]{2,6}', 'internal-[a-z]+-key']);
    expect(problems({ REDACTION_EXTRA_PATTERNS: 'ACME-[0-9]{6},x' }).join()).toMatch(
      /REDACTION_EXTRA_PATTERNS: must be a JSON array/,
    );
    expect(problems({ REDACTION_EXTRA_PATTERNS: '["ok", "(unclosed"]' }).join()).toMatch(
      /REDACTION_EXTRA_PATTERNS: "\(unclosed" is not a valid/,
    );
  });
  it('derives the GitHub host repository URLs must name from the API URL, and reads the PR author mode', () => {
    const host = (env: Record<string, string>) => loadConfig({ GITHUB_TOKEN: 't', ...env }, () => '').github?.host;
    expect(host({})).toBe('github.com');
    expect(host({ GITHUB_API_URL: 'https://ghe.example.com/api/v3' })).toBe('ghe.example.com');
    expect(host({ GITHUB_API_URL: 'https://api.acme.ghe.com' })).toBe('acme.ghe.com');
    expect(host({ GITHUB_API_URL: 'http://127.0.0.1:9999', GITHUB_HOST: 'GitHub.com' })).toBe('github.com');
    expect(problems({ GITHUB_TOKEN: 't', GITHUB_HOST: 'https://github.com/' }).join()).toMatch(/GITHUB_HOST/);
    expect(loadConfig({ GITHUB_TOKEN: 't' }, () => '').github?.mode).toBe('draft-pr');
    expect(loadConfig({ GITHUB_TOKEN: 't', PR_AUTHOR_MODE: 'suggest' }, () => '').github?.mode).toBe('suggest');
    expect(problems({ GITHUB_TOKEN: 't', PR_AUTHOR_MODE: 'push' }).join()).toMatch(/PR_AUTHOR_MODE/);
  });
  it('validates PROMETHEUS_QUERIES_FILE against the query schema, naming the bad field', () => {
    const good = JSON.stringify([
      { name: 'errors', query: 'sum(rate(x[{{window}}]))', direction: 'increase', critical: true },
    ]);
    expect(loadConfig({ PROMETHEUS_QUERIES_FILE: '/q.json' }, () => good).prometheusQueries).toEqual([
      { name: 'errors', query: 'sum(rate(x[{{window}}]))', direction: 'increase', critical: true },
    ]);
    const bad = JSON.stringify([{ name: 'errors', query: 'x', direction: 'up' }]);
    expect(problems({ PROMETHEUS_QUERIES_FILE: '/q.json', PORT: 'x' }, bad).join('\n')).toMatch(
      /PORT[\s\S]*PROMETHEUS_QUERIES_FILE: .*\[0\]\.\[direction\]/,
    );
    expect(problems({ PROMETHEUS_QUERIES_FILE: '/q.json' }).join()).toMatch(/PROMETHEUS_QUERIES_FILE: cannot read/);
    // A typo in the PromQL stops the start, instead of failing every measurement that runs the query.
    const typo = JSON.stringify([{ name: 'errors', query: 'sum(rate(x{job="a"[{{window}}]))', direction: 'increase' }]);
    expect(problems({ PROMETHEUS_QUERIES_FILE: '/q.json' }, typo)).toEqual([
      expect.stringMatching(
        /^PROMETHEUS_QUERIES_FILE: .*\[0\]\.\[query\]: not valid PromQL: unexpected text after "sum\(rate\(x\{job="a"" \(at "\[60s\]\)\)"\)/,
      ),
    ]);
  });
  it('refuses a KUBE_CONTEXT the kubeconfig does not have, together with the other problems', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'config-'));
    const kubeconfig = join(dir, 'kubeconfig.yaml');
    await writeFile(
      kubeconfig,
      'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "http://127.0.0.1:1"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: real, context: {cluster: c, user: u}}]\ncurrent-context: real\n',
    );
    expect(loadConfig({ KUBECONFIG: kubeconfig, KUBE_CONTEXT: 'real' }, () => '').kube.context).toBe('real');
    const p = problems({ KUBECONFIG: kubeconfig, KUBE_CONTEXT: 'nope', PORT: 'x' });
    expect(p).toEqual([expect.stringMatching(/^PORT/), 'KUBE_CONTEXT: no context named "nope" (known: real)']);
  });
  it('refuses a token-file line without a caller name, naming its line (two nameless tokens would share their tasks)', () => {
    const env = { A2A_AUTH: 'bearer', A2A_TOKENS_FILE: '/tokens' };
    const p = (() => {
      try {
        loadConfig(env, () => '# callers\ntok-1 release-bot\ntok-2\n\ntok-3   \n');
      } catch (err) {
        if (err instanceof ConfigError) return err.problems;
        throw err;
      }
      return [];
    })();
    expect(p).toEqual([
      'A2A_TOKENS_FILE: line 3 has a token but no caller name (write "token caller-name")',
      'A2A_TOKENS_FILE: line 5 has a token but no caller name (write "token caller-name")',
    ]);
  });
  it('refuses owner/. and owner/.. in the GitHub allowlist', () => {
    expect(problems({ GITHUB_TOKEN: 't', GITHUB_REPO_ALLOWLIST: 'acme/.,acme/..,../*,acme/*' })).toEqual([
      'GITHUB_REPO_ALLOWLIST: "acme/." is not owner/repo or owner/*; "acme/.." is not owner/repo or owner/*; "../*" is not owner/repo or owner/* (got "acme/.,acme/..,../*,acme/*")',
    ]);
  });
  it('reads the hosts the agent card may take from a Host header, and refuses what is not a host', () => {
    expect(
      loadConfig({ A2A_ALLOWED_HOSTS: 'aiops.example.com, aiops-agent.ops.svc:8080' }, () => '').a2a.allowedHosts,
    ).toEqual(['aiops.example.com', 'aiops-agent.ops.svc:8080']);
    expect(loadConfig({}, () => '').a2a.allowedHosts).toEqual([]);
    expect(problems({ A2A_ALLOWED_HOSTS: 'evil.example/path,http://x.example' })).toEqual([
      'A2A_ALLOWED_HOSTS: "evil.example/path" is not a host or host:port; "http://x.example" is not a host or host:port (got "evil.example/path,http://x.example")',
    ]);
  });
  it('bounds how long a client may take to send a request, headers within the whole', () => {
    expect(loadConfig({}, () => '')).toMatchObject({ requestTimeoutMs: 30_000, headersTimeoutMs: 10_000 });
    expect(problems({ REQUEST_TIMEOUT_MS: '5000', HEADERS_TIMEOUT_MS: '6000' })).toEqual([
      'HEADERS_TIMEOUT_MS: must not exceed REQUEST_TIMEOUT_MS (6000 > 5000)',
    ]);
    expect(problems({ REQUEST_TIMEOUT_MS: '0' }).join()).toMatch(/REQUEST_TIMEOUT_MS: must be an integer from 1000/);
  });

  it('LLM_PROVIDER=openai: an OpenAI-compatible endpoint, its model required, its key optional', () => {
    const llm = loadConfig(
      { LLM_PROVIDER: 'openai', OPENAI_BASE_URL: 'http://vllm:8000/v1/', OPENAI_MODEL: 'qwen3-8b' },
      () => '',
    ).llm;
    expect(llm).toMatchObject({
      provider: 'openai',
      models: [
        { provider: 'openai', model: 'qwen3-8b', baseUrl: 'http://vllm:8000/v1', structuredOutput: 'json_schema' },
      ],
      maxOutputTokens: 2048,
    });
    expect(llm.models[0]).not.toHaveProperty('apiKey');
    expect(problems({ LLM_PROVIDER: 'openai' }).join('\n')).toMatch(/openai needs OPENAI_MODEL/);
    expect(problems({ LLM_PROVIDER: 'openai', OPENAI_MODEL: 'm', OPENAI_STRUCTURED_OUTPUT: 'xml' }).join('\n')).toMatch(
      /OPENAI_STRUCTURED_OUTPUT: must be one of json_schema, tools, json_mode, text/,
    );
  });
  it('LLM_MODELS: several provider:model entries, each with its provider settings', () => {
    const llm = loadConfig(
      {
        LLM_MODELS: 'gemini:gemini-2.5-flash, openai:qwen3-8b',
        GOOGLE_API_KEY: 'g',
        OPENAI_BASE_URL: 'http://vllm:8000/v1',
        OPENAI_STRUCTURED_OUTPUT: 'tools',
        OPENAI_REQUESTS_PER_MINUTE: '120',
      },
      () => '',
    ).llm;
    expect(llm.provider).toBe('several');
    expect(llm.models).toMatchObject([
      { provider: 'gemini', model: 'gemini-2.5-flash', apiKey: 'g' },
      { provider: 'openai', model: 'qwen3-8b', structuredOutput: 'tools' },
    ]);
    expect(llm.rateLimits.openai).toEqual({ requestsPerMinute: 120, tokensPerMinute: 0 });
    expect(problems({ LLM_MODELS: 'claude:opus' }).join('\n')).toMatch(/"claude:opus" is not provider:model/);
    expect(problems({ LLM_MODELS: 'gemini:gemini-2.5-flash' }).join('\n')).toMatch(/LLM_MODELS: gemini needs/);
    expect(problems({ LLM_MODELS: 'openai:a,openai:a' }).join('\n')).toMatch(/lists a model twice/);
    expect(problems({ LLM_MODELS: 'openai:a', LLM_PROVIDER: 'none' }).join('\n')).toMatch(/LLM_PROVIDER=none/);
  });
  it('the evidence budget follows the context window; a window too small for any evidence is refused', () => {
    expect(loadConfig({}, () => '').evidenceTokenBudget).toBe(4000);
    expect(loadConfig({ LLM_CONTEXT_TOKENS: '4096', LLM_MAX_OUTPUT_TOKENS: '512' }, () => '').evidenceTokenBudget).toBe(
      4096 - 2 * 512 - 1000,
    );
    expect(loadConfig({ LLM_CONTEXT_TOKENS: '131072' }, () => '').evidenceTokenBudget).toBe(4000);
    expect(problems({ LLM_CONTEXT_TOKENS: '4096', LLM_MAX_OUTPUT_TOKENS: '2048' }).join('\n')).toMatch(
      /LLM_CONTEXT_TOKENS: 4096 leaves less than 500 tokens/,
    );
  });
  it('LLM_PRICES: USD per million tokens per model', () => {
    expect(loadConfig({ LLM_PRICES: '{"m": {"input": 0.3, "output": 2.5}}' }, () => '').llm.prices).toEqual({
      m: { input: 0.3, output: 2.5 },
    });
    expect(problems({ LLM_PRICES: '{"m": 3}' }).join('\n')).toMatch(/LLM_PRICES: must be JSON like/);
  });
});
