import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Json, JsonObject } from './chart-files.js';
import { defaultValues, isObject, lookup, readChartFile, templateFiles, templateSkeleton } from './chart-files.js';

/** expect.any is typed any; an unknown-typed alias keeps the type-aware lint honest. */
const anyString: unknown = expect.any(String);

const manifestTemplates = templateFiles().filter((file) => file.endsWith('.yaml'));

function at(value: Json | undefined, path: string): Json | undefined {
  return value === undefined ? undefined : lookup(value, path).value;
}

function only(kind: string, file: string): JsonObject {
  const documents = templateSkeleton(file).filter((d) => d.kind === kind);
  expect(documents).toHaveLength(1);
  return documents[0]!;
}

describe('templates', () => {
  it.each(manifestTemplates)('%s is well-formed YAML once its directives are set aside', (file) => {
    const documents = templateSkeleton(file);
    expect(documents.length).toBeGreaterThan(0);
    for (const document of documents) {
      expect(document).toMatchObject({ apiVersion: anyString, kind: anyString, metadata: { name: anyString } });
    }
  });

  it('the Chart is apiVersion v2 with an appVersion', () => {
    expect(parse(readChartFile('Chart.yaml'))).toMatchObject({
      apiVersion: 'v2',
      name: 'aiops-agent',
      appVersion: anyString,
    });
  });

  it('names resources after the release, so a release named kubernetes-agent answers at http://kubernetes-agent:8080', () => {
    expect(readChartFile('templates/_helpers.tpl')).toMatch(
      /define "aiops-agent\.fullname" -}}\n\{\{- default \.Release\.Name \.Values\.fullnameOverride/,
    );
    const service = only('Service', 'templates/service.yaml');
    expect(service).toMatchObject({
      metadata: { name: 'TPL' },
      spec: { type: 'TPL', ports: [{ name: 'http', port: 'TPL', targetPort: 'http' }] },
    });
    expect(readChartFile('templates/service.yaml')).toContain('name: {{ include "aiops-agent.fullname" . }}');
    expect(defaultValues()).toMatchObject({ service: { type: 'ClusterIP', port: 8080 }, config: { port: 8080 } });
  });
});

describe('Deployment', () => {
  const deployment = only('Deployment', 'templates/deployment.yaml');
  const pod = at(deployment, 'spec.template.spec');
  const containers = at(pod, 'containers');
  const container = Array.isArray(containers) ? containers[0] : undefined;
  const text = readChartFile('templates/deployment.yaml');

  it('probes /healthz for liveness and /readyz for readiness on the http port', () => {
    expect(at(container, 'livenessProbe.httpGet')).toEqual({ path: '/healthz', port: 'http' });
    expect(at(container, 'readinessProbe.httpGet')).toEqual({ path: '/readyz', port: 'http' });
  });

  it('runs with the restricted pod security settings by default', () => {
    expect(text).toMatch(/\n {6}securityContext:\n {8}\{\{- toYaml \.Values\.podSecurityContext \| nindent 8 }}/);
    expect(text).toMatch(/\n {10}securityContext:\n {12}\{\{- toYaml \.Values\.securityContext \| nindent 12 }}/);
    expect(defaultValues()).toMatchObject({
      podSecurityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
      securityContext: {
        runAsNonRoot: true,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      },
    });
  });

  it('gives the read-only root filesystem a writable /tmp', () => {
    expect(at(container, 'volumeMounts')).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
    expect(at(pod, 'volumes')).toContainEqual({ name: 'tmp', emptyDir: { sizeLimit: 'TPL' } });
  });

  it('mounts the service account token and reads its config from the ConfigMap', () => {
    expect(at(pod, 'automountServiceAccountToken')).toBe(true);
    expect(at(container, 'envFrom')).toContainEqual({ configMapRef: { name: 'TPL' } });
    expect(readChartFile('templates/_helpers.tpl')).toMatch(
      /- name: \{\{ \$envName }}\n {2}valueFrom:\n {4}secretKeyRef:/,
    );
  });

  it('rolls the pods when the ConfigMap or Secret changes', () => {
    expect(at(deployment, 'spec.template.metadata.annotations')).toMatchObject({
      'checksum/config': 'TPL',
      'checksum/secret': 'TPL',
    });
    expect(text).toContain('include (print $.Template.BasePath "/configmap.yaml") . | sha256sum');
    expect(text).toContain('include (print $.Template.BasePath "/secret.yaml") . | sha256sum');
  });

  it('hands extra redaction patterns to the service as a JSON array (a pattern may contain commas)', () => {
    expect(readChartFile('templates/configmap.yaml')).toContain('REDACTION_EXTRA_PATTERNS: {{ toJson . | quote }}');
  });

  it('sets resources from values, with requests by default', () => {
    expect(text).toContain('{{- toYaml .Values.resources | nindent 12 }}');
    expect(defaultValues()).toMatchObject({ resources: { requests: { cpu: anyString, memory: anyString } } });
  });
});

describe('NetworkPolicy', () => {
  it('is on by default and admits only the Argo Rollouts controller and Prometheus pods on the http port', () => {
    expect(defaultValues()).toMatchObject({
      networkPolicy: {
        enabled: true,
        argoRolloutsNamespace: 'argo-rollouts',
        argoRolloutsPodName: 'argo-rollouts',
        prometheusNamespace: 'monitoring',
        prometheusPodName: 'prometheus',
      },
    });
    expect(readChartFile('templates/networkpolicy.yaml')).toMatch(/^\{\{- if \.Values\.networkPolicy\.enabled }}/);
    const policy = only('NetworkPolicy', 'templates/networkpolicy.yaml');
    expect(at(policy, 'spec.policyTypes')).toContain('Ingress');
    expect(at(policy, 'spec.ingress')).toEqual([
      {
        from: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'TPL' } },
            podSelector: { matchLabels: { 'app.kubernetes.io/name': 'TPL' } },
          },
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'TPL' } },
            podSelector: { matchLabels: { 'app.kubernetes.io/name': 'TPL' } },
          },
        ],
        ports: [{ port: 'http', protocol: 'TCP' }],
      },
    ]);
  });
});

describe('optional objects', () => {
  it.each([
    ['templates/servicemonitor.yaml', '.Values.serviceMonitor.enabled', false],
    ['templates/hpa.yaml', '.Values.autoscaling.enabled', false],
    ['templates/poddisruptionbudget.yaml', '.Values.podDisruptionBudget.enabled', true],
    ['templates/secret.yaml', 'include "aiops-agent.createSecret" .', undefined],
  ])('%s is gated by %s', (file, condition, defaultOn) => {
    expect(readChartFile(file).startsWith(`{{- if ${condition} }}`)).toBe(true);
    if (defaultOn !== undefined)
      expect(lookup(defaultValues(), condition.replace('.Values.', '')).value).toBe(defaultOn);
  });

  it('creates no Secret from the defaults: every credential value is empty', () => {
    const secrets = at(defaultValues(), 'secrets');
    expect(at(secrets, 'existingSecret')).toBe('');
    const values = at(secrets, 'values');
    expect(isObject(values) && Object.values(values).every((v) => v === '')).toBe(true);
  });
});
