import { describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import type { Json, JsonObject } from './chart-files.js';
import { ciValuesFiles, defaultValues, isObject, mergeValues, readYaml, valuesSchema } from './chart-files.js';

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
const validate = ajv.compile(valuesSchema());

/** What helm validates: the user's values merged over values.yaml. */
function check(override: Json): { valid: boolean; errors: string } {
  const valid = validate(mergeValues(defaultValues(), override));
  return { valid, errors: ajv.errorsText(validate.errors) };
}

const requiredCiFiles = [
  'ci/default-values.yaml',
  'ci/cluster-wide-rbac-values.yaml',
  'ci/existing-secret-github-app-values.yaml',
  'ci/a2a-sa-token-auth-values.yaml',
  'ci/servicemonitor-hpa-values.yaml',
];

describe('values.schema.json', () => {
  it('is a draft-07 schema', () => {
    expect(valuesSchema().$schema).toBe('http://json-schema.org/draft-07/schema#');
  });

  it('accepts values.yaml as is', () => {
    expect(check({})).toEqual({ valid: true, errors: 'No errors' });
  });

  it('has the example values files chart-testing installs', () => {
    expect(ciValuesFiles()).toEqual(expect.arrayContaining(requiredCiFiles));
  });

  it.each(ciValuesFiles())('accepts %s', (file) => {
    expect(check(readYaml(file))).toEqual({ valid: true, errors: 'No errors' });
  });

  it('closes every object: additionalProperties is false, a typed map, or a documented pass-through', () => {
    const offenders: string[] = [];
    const walk = (node: Json, path: string): void => {
      if (!isObject(node)) return;
      if (node.type === 'object') {
        const extra = node.additionalProperties;
        const closed = extra === false || isObject(extra);
        const passThrough =
          extra === true && typeof node.$comment === 'string' && node.$comment.includes('passed through verbatim');
        if (!closed && !passThrough) offenders.push(path || '(root)');
      }
      for (const [key, child] of Object.entries(node)) {
        if (key === 'properties' && isObject(child))
          for (const [name, sub] of Object.entries(child)) walk(sub, path ? `${path}.${name}` : name);
        else if (key === 'items' || key === 'additionalProperties') walk(child, `${path}[]`);
      }
    };
    walk(valuesSchema(), '');
    expect(offenders).toEqual([]);
  });

  it.each<[string, JsonObject]>([
    ['an unknown top-level key', { replicas: 3 }],
    ['an unknown nested key', { config: { llm: { temperature: 0.2 } } }],
    ['an unknown deeply nested key', { config: { kubernetes: { kubeconfigSecret: { path: '/x' } } } }],
    ['an unknown key in a list item', { imagePullSecrets: [{ name: 'x', namespace: 'y' }] }],
    ['a string where an integer is expected', { replicaCount: 'two' }],
    ['a float where an integer is expected', { config: { analysis: { deadlineMs: 1.5 } } }],
    ['a string where a boolean is expected', { config: { github: { dryRun: 'yes' } } }],
    ['a number where a string is expected', { config: { github: { appId: 123456 } } }],
    ['a map where a list is expected', { config: { github: { repoAllowlist: 'acme/app' } } }],
    ['a log level that pino does not have', { config: { logLevel: 'verbose' } }],
    ['an unknown LLM provider', { config: { llm: { provider: 'anthropic' } } }],
    ['an unknown Prometheus preset', { config: { prometheus: { preset: 'linkerd' } } }],
    ['an unknown A2A auth mode', { config: { a2a: { auth: 'basic' } } }],
    ['an unknown on-model-unavailable mode', { config: { llm: { onModelUnavailable: 'promote' } } }],
    ['a deadline beyond the plugin timeout', { config: { analysis: { deadlineMs: 300000 } } }],
    ['a malformed repository allowlist entry', { config: { github: { repoAllowlist: ['just-a-name'] } } }],
    ['a port out of range', { service: { port: 70000 } }],
    ['an unknown service type', { service: { type: 'ExternalName' } }],
    ['an invalid namespace name', { rbac: { namespaces: ['Not_Valid'] } }],
    ['a non-string annotation value', { podAnnotations: { 'example.com/x': 1 } }],
    ['a secret value that is not a string', { secrets: { values: { githubToken: 42 } } }],
    ['an unknown secret', { secrets: { values: { awsKey: 'x' } } }],
    ['a malformed scrape interval', { serviceMonitor: { interval: 'often' } }],
  ])('rejects %s', (_case, override) => {
    expect(check(override).valid).toBe(false);
  });

  it('points at the offending key', () => {
    validate(mergeValues(defaultValues(), parse('config:\n  llm:\n    temperature: 0.2\n') as Json));
    expect(validate.errors).toEqual([
      expect.objectContaining({ instancePath: '/config/llm', params: { additionalProperty: 'temperature' } }),
    ]);
  });
});
