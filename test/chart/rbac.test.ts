/**
 * The chart's RBAC against the Kubernetes API requests the code really makes: the real adapters of @aiops/kube
 * run against the testkit's fake API server, which records every request; each one must be allowed by the rules
 * the chart grants (files/rbac-rules.yaml, and files/rbac-tokenreview-rules.yaml for TokenReviews).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createClusterReader,
  createEventRecorder,
  createTokenReviewer,
  createWorkloadReader,
  loadKubeConfig,
} from '@aiops/kube';
import { startFakeKubeApi, type FakeKubeApi, type FakeKubeRequest, type Scenario } from '@aiops/testkit';
import { isObject, readChartFile, readYaml } from './chart-files.js';

interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

interface ApiCall {
  verb: string;
  group: string;
  /** `pods`, or `pods/log` for a subresource. */
  resource: string;
}

function readRules(file: string): PolicyRule[] {
  const rules = readYaml(file);
  if (!Array.isArray(rules)) throw new Error(`${file} is not a list of rules`);
  return rules.map((rule) => {
    if (!isObject(rule)) throw new Error(`${file}: a rule is not a map`);
    const strings = (key: string): string[] => {
      const value = rule[key];
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
        throw new Error(`${file}: ${key} is not a list of strings`);
      return value;
    };
    return { apiGroups: strings('apiGroups'), resources: strings('resources'), verbs: strings('verbs') };
  });
}

const readRulesFile = 'files/rbac-rules.yaml';
const tokenReviewRulesFile = 'files/rbac-tokenreview-rules.yaml';
const eventsRulesFile = 'files/rbac-events-rules.yaml';

/** The authorizer's view of a request: /api/v1/... is the core group, /apis/GROUP/VERSION/... the others. */
function toApiCall(request: FakeKubeRequest): ApiCall {
  const parts = request.path.split('/').filter(Boolean);
  let group: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) [group, rest] = ['', parts.slice(2)];
  else if (parts[0] === 'apis' && parts.length >= 4) [group, rest] = [parts[1]!, parts.slice(3)];
  else throw new Error(`not a resource request: ${request.method} ${request.path}`);
  if (rest[0] === 'namespaces' && rest.length >= 3) rest = rest.slice(2);
  const [resource, name, subresource] = rest;
  if (resource === undefined) throw new Error(`no resource in ${request.path}`);
  const verbs: Record<string, string> = {
    POST: 'create',
    PUT: 'update',
    PATCH: 'patch',
    DELETE: name === undefined ? 'deletecollection' : 'delete',
  };
  let verb = verbs[request.method] ?? (name === undefined ? 'list' : 'get');
  if (verb === 'list' && request.query.watch === 'true') verb = 'watch';
  return { verb, group, resource: subresource === undefined ? resource : `${resource}/${subresource}` };
}

function allows(rules: PolicyRule[], call: ApiCall): boolean {
  return rules.some(
    (rule) =>
      rule.apiGroups.includes(call.group) && rule.resources.includes(call.resource) && rule.verbs.includes(call.verb),
  );
}

const describeCall = (c: ApiCall): string => `${c.verb} ${c.group || 'core'}/${c.resource}`;

const scenario: Scenario = {
  id: 'rbac-probe',
  title: 'a canary that restarted, with a Rollout and events',
  description: 'exercises every read the cluster adapter makes, including previous-container logs',
  namespace: 'rbac-probe',
  rolloutName: 'checkout',
  rollout: { revision: '2', canaryWeight: 20, stablePodHash: 'aaa111', canaryPodHash: 'bbb222' },
  pods: [
    {
      name: 'checkout-aaa111-x1',
      side: 'stable',
      labels: { app: 'checkout', role: 'stable' },
      podTemplateHash: 'aaa111',
      containers: [{ name: 'app', image: 'checkout:1', logs: ['GET /cart 200'] }],
    },
    {
      name: 'checkout-bbb222-y1',
      side: 'canary',
      labels: { app: 'checkout', role: 'canary' },
      podTemplateHash: 'bbb222',
      containers: [
        {
          name: 'app',
          image: 'checkout:2',
          restartCount: 3,
          logs: ['starting'],
          previousLogs: ['panic: runtime error: invalid memory address or nil pointer dereference'],
        },
      ],
    },
  ],
  events: [
    {
      type: 'Warning',
      reason: 'BackOff',
      message: 'Back-off restarting failed container',
      objectKind: 'Pod',
      objectName: 'checkout-bbb222-y1',
      count: 3,
    },
  ],
  expected: { promote: false, hardFailure: 'panic' },
  tags: ['rbac'],
};

describe('RBAC', () => {
  let fake: FakeKubeApi;
  let workDir: string;
  let readCalls: ApiCall[] = [];
  let reviewCalls: ApiCall[] = [];
  let eventCalls: ApiCall[] = [];

  beforeAll(async () => {
    fake = await startFakeKubeApi({
      scenarios: [scenario],
      tokens: { 'caller-token': { username: 'system:serviceaccount:agents:caller' } },
    });
    workDir = await mkdtemp(join(tmpdir(), 'aiops-rbac-'));
    const kubeConfig = loadKubeConfig({ kubeconfigPath: await fake.writeKubeconfig(workDir) });
    const signal = new AbortController().signal;

    // Every method of the ClusterReader port, the way the log fetcher uses them (current and previous logs).
    const reader = createClusterReader(kubeConfig, { timeoutMs: 5000 });
    const pods = [
      ...(await reader.listPods(scenario.namespace, 'role=canary', { signal })),
      ...(await reader.listPods(scenario.namespace, 'role=stable', { signal })),
    ];
    expect(pods).toHaveLength(2);
    for (const pod of pods) {
      for (const previous of [false, true]) {
        await reader.readLog(
          {
            namespace: scenario.namespace,
            pod: pod.name,
            container: 'app',
            previous,
            tailLines: 100,
            limitBytes: 65536,
            sinceSeconds: 900,
          },
          { signal },
        );
      }
    }
    await reader.listEvents(scenario.namespace, { signal });
    expect(await reader.namespaceExists(scenario.namespace, { signal })).toBe(true);
    expect(await reader.getRollout(scenario.namespace, scenario.rolloutName, { signal })).toBeDefined();
    // The Flagger hooks' reads: the Canary's targetRef and the selectors of its Deployments.
    const workloads = createWorkloadReader(kubeConfig, { timeoutMs: 5000 });
    await workloads.getCanaryTarget(scenario.namespace, scenario.rolloutName, { signal });
    await workloads.getPodSelector(scenario.namespace, { kind: 'Deployment', name: scenario.rolloutName }, { signal });
    readCalls = fake.requests.map(toApiCall);

    const reviewer = createTokenReviewer(kubeConfig, { timeoutMs: 5000, cacheTtlMs: 0 });
    expect(await reviewer.review('caller-token', { signal })).toMatchObject({ authenticated: true });
    reviewCalls = fake.requests.slice(readCalls.length).map(toApiCall);

    // The verdict Events: create, a repeat (patch), and a second writer that meets 409 (get, patch).
    const before = fake.requests.length;
    const event = {
      involvedObject: {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        namespace: scenario.namespace,
        name: scenario.rolloutName,
      },
      type: 'Warning' as const,
      reason: 'AnalysisReject',
      message: 'Do not promote: panic',
      key: 'reject:panic',
    };
    const recorder = createEventRecorder(kubeConfig, { timeoutMs: 5000 });
    await recorder.record(event, { signal });
    await recorder.record(event, { signal });
    expect(await createEventRecorder(kubeConfig, { timeoutMs: 5000 }).record(event, { signal })).toMatchObject({
      count: 3,
    });
    eventCalls = fake.requests.slice(before).map(toApiCall);
  });

  afterAll(async () => {
    await fake?.close();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('sees the API calls of every cluster read, including previous-container logs', () => {
    expect(new Set(readCalls.map(describeCall))).toEqual(
      new Set([
        'list core/pods',
        'get core/pods/log',
        'list core/events',
        'get core/namespaces',
        'get argoproj.io/rollouts',
        'get flagger.app/canaries',
        'get apps/deployments',
      ]),
    );
    expect(reviewCalls.map(describeCall)).toEqual(['create authentication.k8s.io/tokenreviews']);
  });

  it('the namespaced read rules allow every call the cluster reader makes', () => {
    const rules = readRules(readRulesFile);
    expect(readCalls.filter((call) => !allows(rules, call)).map(describeCall)).toEqual([]);
  });

  it('sees the API calls of the verdict Events: the Rollout read, create, patch, and get after a 409', () => {
    expect(new Set(eventCalls.map(describeCall))).toEqual(
      new Set(['get argoproj.io/rollouts', 'create core/events', 'patch core/events', 'get core/events']),
    );
  });

  it('the read rules with the events rules allow every call the Event writer makes', () => {
    const rules = [...readRules(readRulesFile), ...readRules(eventsRulesFile)];
    expect(eventCalls.filter((call) => !allows(rules, call)).map(describeCall)).toEqual([]);
  });

  it('the events rules grant only create and patch on core events', () => {
    expect(readRules(eventsRulesFile)).toEqual([
      { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
    ]);
  });

  it('the templates grant the events rules only with config.verdictEvents, in the ClusterRole and in each Role', () => {
    const template = readChartFile('templates/rbac.yaml');
    expect(
      template.match(
        /\{\{- if \$?\.Values\.config\.verdictEvents }}\n {2}\{\{- \$?\.Files\.Get "files\/rbac-events-rules\.yaml" \| nindent 2 }}\n {2}\{\{- end }}/g,
      ),
    ).toHaveLength(2);
    expect(template.match(/rbac-events-rules\.yaml/g)).toHaveLength(2);
  });

  it('the tokenreview rules allow the TokenReview the A2A service-account auth makes', () => {
    const rules = readRules(tokenReviewRulesFile);
    expect(reviewCalls.filter((call) => !allows(rules, call)).map(describeCall)).toEqual([]);
  });

  it('grants reads only: get/list/watch, never secrets, pods/exec or wildcards', () => {
    const rules = readRules(readRulesFile);
    for (const rule of rules) {
      expect(rule.verbs.every((verb) => ['get', 'list', 'watch'].includes(verb))).toBe(true);
      expect(
        rule.resources.filter((r) => r === '*' || r === 'secrets' || (r.startsWith('pods/') && r !== 'pods/log')),
      ).toEqual([]);
      expect(rule.apiGroups).not.toContain('*');
    }
  });

  it('grants nothing beyond what the code reads, except the replicasets and analysisruns reads asked for', () => {
    const granted = readRules(readRulesFile).flatMap((rule) =>
      rule.apiGroups.flatMap((group) => rule.resources.map((resource) => `${group || 'core'}/${resource}`)),
    );
    const used = new Set(readCalls.map((call) => `${call.group || 'core'}/${call.resource}`));
    expect(granted.filter((g) => !used.has(g)).sort()).toEqual(['apps/replicasets', 'argoproj.io/analysisruns']);
  });

  it('the tokenreview rules only create tokenreviews', () => {
    expect(readRules(tokenReviewRulesFile)).toEqual([
      { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
    ]);
  });

  it('the templates grant exactly these rule files, cluster-wide only on request, tokenreviews only with SA-token auth', () => {
    const template = readChartFile('templates/rbac.yaml');
    expect(template.match(/\.Files\.Get "files\/rbac-rules\.yaml"/g)).toHaveLength(2);
    expect(template.match(/\.Files\.Get "files\/rbac-tokenreview-rules\.yaml"/g)).toHaveLength(1);
    expect(template).not.toMatch(/^\s*-?\s*(verbs|resources|apiGroups):/m);
    expect(template).toMatch(
      /\{\{- if \.Values\.rbac\.clusterWide }}\napiVersion: rbac\.authorization\.k8s\.io\/v1\nkind: ClusterRole\n/,
    );
    expect(template).toMatch(
      /\{\{- else }}\n\{\{- range \$namespace := include "aiops-agent\.rbacNamespaces" \. \| fromJsonArray }}\n---\napiVersion: rbac\.authorization\.k8s\.io\/v1\nkind: Role\n/,
    );
    expect(template).toMatch(
      /\{\{- if \.Values\.config\.a2a\.serviceAccountTokens }}\n---\napiVersion: rbac\.authorization\.k8s\.io\/v1\nkind: ClusterRole\n[\s\S]*rbac-tokenreview-rules\.yaml/,
    );
  });
});
