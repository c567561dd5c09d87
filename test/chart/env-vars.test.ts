import { describe, expect, it } from 'vitest';
import { ENV_VARS } from '@aiops/agent';
import { readChartFile, rootReadme } from './chart-files.js';

/** The service's own settings table: the one list of variables. */
const serviceEnvVars = ENV_VARS.map((v) => v.name);

/** Variable names in the root README's configuration table, when there is one. */
function readmeEnvVars(): string[] {
  const readme = rootReadme() ?? '';
  return [...readme.matchAll(/^\|\s*`?([A-Z][A-Z0-9_]+)`?(?:\s*\/\s*`?([A-Z][A-Z0-9_]+)`?)?\s*\|/gm)].flatMap((m) => [
    m[1]!,
    ...(m[2] ? [m[2]] : []),
  ]);
}

/** Variables the chart can set: ConfigMap keys and the Deployment's secret-backed env entries. */
function chartEnvVars(): Set<string> {
  const configMapKeys = [...readChartFile('templates/configmap.yaml').matchAll(/^ {2}([A-Z][A-Z0-9_]+):/gm)].map(
    (m) => m[1]!,
  );
  const secretEnv = [
    ...readChartFile('templates/deployment.yaml').matchAll(
      /"aiops-agent\.secretEnv" \(list \. "\w+" "([A-Z][A-Z0-9_]+)"\)/g,
    ),
  ].map((m) => m[1]!);
  // Entries a helper renders from a Secret of their own (REDIS_URL: redis.url or redis.existingSecret).
  const helperEnv = [
    ...readChartFile('templates/_helpers.tpl').matchAll(/^- name: ([A-Z][A-Z0-9_]+)\n\s+valueFrom:/gm),
  ].map((m) => m[1]!);
  return new Set([...configMapKeys, ...secretEnv, ...helperEnv]);
}

describe('environment variables', () => {
  it('every variable the service reads is settable through the chart', () => {
    const settable = chartEnvVars();
    expect(serviceEnvVars.filter((name) => !settable.has(name))).toEqual([]);
  });

  it('every variable of the root README table is settable through the chart', () => {
    const settable = chartEnvVars();
    expect(readmeEnvVars().filter((name) => !settable.has(name))).toEqual([]);
  });

  it('the chart sets no variable the service does not read', () => {
    expect([...chartEnvVars()].filter((name) => !serviceEnvVars.includes(name))).toEqual([]);
  });

  it('credentials (the secret rows of the settings table) never go into the ConfigMap', () => {
    const secretNames = ENV_VARS.filter((v) => v.secret).map((v) => v.name);
    expect(secretNames).toContain('GITHUB_TOKEN');
    const configMap = readChartFile('templates/configmap.yaml');
    expect(secretNames.filter((name) => new RegExp(`^\\s*${name}:`, 'm').test(configMap))).toEqual([]);
    expect(configMap).not.toMatch(/\.Values\.secrets/);
  });
});
