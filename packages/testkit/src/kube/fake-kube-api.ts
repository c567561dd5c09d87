/**
 * A fake Kubernetes API server that speaks the real wire protocol (discovery, lists with selectors and paging,
 * pod logs, events, Argo Rollouts, TokenReviews, Status errors, server-side Tables), so the real
 * @kubernetes/client-node and kubectl can be pointed at it. Each scenario lives in its own namespace.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { matchesLabels, parseLabelSelector } from '@aiops/contracts';
import type { Scenario, ScenarioContainer, ScenarioPod } from '../scenario.js';
import {
  buildEvents,
  buildFlaggerObjects,
  buildPod,
  buildRollout,
  stableUid,
  type KubeObject,
  type ObjectClock,
} from './objects.js';
import { toTable } from './table.js';
import { startFakeHttpServer, type FaultInjector, type RecordedRequest } from '../http/fake-http.js';

export type FakeKubeRequest = RecordedRequest;

export interface TokenUser {
  username: string;
  groups?: string[];
}

export interface FakeKubeApiOptions {
  scenarios?: Scenario[];
  /** Tokens the TokenReview endpoint accepts; any other token is answered `authenticated: false`. */
  tokens?: Record<string, TokenUser>;
  /** The bearer token written into the kubeconfig. */
  clientToken?: string;
  /** When true, requests without the client token's `Authorization: Bearer` header get 401. */
  requireClientToken?: boolean;
}

export interface FakeKubeApi {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Every request received, in order (used to check that RBAC allows every API the code calls). */
  readonly requests: FakeKubeRequest[];
  kubeconfigYaml(): string;
  /** Writes the kubeconfig into `dir` and returns the file's path. */
  writeKubeconfig(dir: string): Promise<string>;
  /** Faults (errors with Kubernetes Status bodies, resets, half-sent JSON, 410 Gone, endless log streams, ...). */
  readonly faults: FaultInjector;
  /** Requests whose answer has not finished (a hung or endless one counts until the client leaves). */
  readonly openRequests: number;
  /** TCP connections accepted since the start. */
  readonly connectionsAccepted: number;
  loadScenarios(scenarios: Scenario[]): void;
  /** The Events of a namespace as the server holds them now (the scenario's, and those clients created). */
  events(namespace: string): KubeObject[];
  setToken(token: string, user: TokenUser | undefined): void;
  /** Resolves with the first request (already received or still to come) that satisfies `predicate`. */
  waitForRequest(predicate: (request: FakeKubeRequest) => boolean): Promise<FakeKubeRequest>;
  close(): Promise<void>;
}

interface NamespaceState {
  scenario: Scenario;
  pods: KubeObject[];
  events: KubeObject[];
  rollout?: KubeObject;
  canaries: KubeObject[];
  deployments: KubeObject[];
}

type Json = Record<string, unknown>;

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  410: 'Expired',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

export function kubeStatus(code: number, message: string, details?: Json): Json {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason: REASONS[code] ?? 'Unknown',
    ...(details ? { details } : {}),
    code,
  };
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Json,
  ) {
    super(String(body.message));
  }
}

const notFound = (resource: string, name: string, group?: string): HttpError =>
  new HttpError(
    404,
    kubeStatus(404, `${group ? `${resource}.${group}` : resource} "${name}" not found`, {
      name,
      ...(group ? { group } : {}),
      kind: resource,
    }),
  );

const badRequest = (message: string): HttpError => new HttpError(400, kubeStatus(400, message));

const DISCOVERY = {
  core: {
    kind: 'APIResourceList',
    groupVersion: 'v1',
    resources: [
      {
        name: 'events',
        singularName: 'event',
        namespaced: true,
        kind: 'Event',
        verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
        shortNames: ['ev'],
      },
      {
        name: 'namespaces',
        singularName: 'namespace',
        namespaced: false,
        kind: 'Namespace',
        verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
        shortNames: ['ns'],
      },
      {
        name: 'pods',
        singularName: 'pod',
        namespaced: true,
        kind: 'Pod',
        verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
        shortNames: ['po'],
        categories: ['all'],
      },
      { name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] },
      { name: 'pods/status', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get', 'patch', 'update'] },
    ],
  },
  apps: {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: 'apps/v1',
    resources: [
      {
        name: 'deployments',
        singularName: 'deployment',
        namespaced: true,
        kind: 'Deployment',
        verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
        shortNames: ['deploy'],
        categories: ['all'],
      },
    ],
  },
  flagger: {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: 'flagger.app/v1beta1',
    resources: [
      {
        name: 'canaries',
        singularName: 'canary',
        namespaced: true,
        kind: 'Canary',
        verbs: ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'],
        shortNames: ['canary'],
        categories: ['all'],
      },
      {
        name: 'canaries/status',
        singularName: '',
        namespaced: true,
        kind: 'Canary',
        verbs: ['get', 'patch', 'update'],
      },
    ],
  },
  argo: {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: 'argoproj.io/v1alpha1',
    resources: [
      {
        name: 'rollouts',
        singularName: 'rollout',
        namespaced: true,
        kind: 'Rollout',
        verbs: ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'],
        shortNames: ['ro'],
        categories: ['all'],
      },
      {
        name: 'rollouts/status',
        singularName: '',
        namespaced: true,
        kind: 'Rollout',
        verbs: ['get', 'patch', 'update'],
      },
      {
        name: 'rollouts/scale',
        singularName: '',
        namespaced: true,
        group: 'autoscaling',
        version: 'v1',
        kind: 'Scale',
        verbs: ['get', 'patch', 'update'],
      },
    ],
  },
  authentication: {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: 'authentication.k8s.io/v1',
    resources: [
      {
        name: 'selfsubjectreviews',
        singularName: 'selfsubjectreview',
        namespaced: false,
        kind: 'SelfSubjectReview',
        verbs: ['create'],
      },
      { name: 'tokenreviews', singularName: 'tokenreview', namespaced: false, kind: 'TokenReview', verbs: ['create'] },
    ],
  },
};

function apiGroup(name: string, version: string): Json {
  const gv = { groupVersion: `${name}/${version}`, version };
  return { name, versions: [gv], preferredVersion: gv };
}

const API_GROUPS = [
  apiGroup('authentication.k8s.io', 'v1'),
  apiGroup('argoproj.io', 'v1alpha1'),
  apiGroup('apps', 'v1'),
  apiGroup('flagger.app', 'v1beta1'),
];

/** The groups served beyond the core API: discovery and `GET /apis/<group>/<version>/[namespaces/<ns>/]<plural>[/<name>]`. */
const CUSTOM_RESOURCES: Record<string, { version: string; plural: string; listKind: string; discovery: Json }> = {
  apps: { version: 'v1', plural: 'deployments', listKind: 'DeploymentList', discovery: DISCOVERY.apps },
  'flagger.app': { version: 'v1beta1', plural: 'canaries', listKind: 'CanaryList', discovery: DISCOVERY.flagger },
};

/** RFC 6902 `add`/`replace`/`remove` on object paths, enough for the patches clients send to Events. */
function applyJsonPatch(target: Json, operations: unknown): void {
  if (!Array.isArray(operations)) throw badRequest('the JSON patch is not an array of operations');
  for (const operation of operations) {
    const { op, path, value } = rec(operation);
    if (typeof path !== 'string' || !path.startsWith('/')) throw badRequest(`invalid JSON patch path: ${String(path)}`);
    const parts = path
      .slice(1)
      .split('/')
      .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = parts.pop() ?? '';
    let parent: Json = target;
    for (const part of parts) parent = rec(parent[part]);
    if (op === 'replace' && !(last in parent))
      throw new HttpError(422, kubeStatus(422, `the server rejected our request due to an error in our request`));
    if (op === 'add' || op === 'replace') parent[last] = value;
    else if (op === 'remove') delete parent[last];
    else throw badRequest(`unsupported JSON patch operation: ${String(op)}`);
  }
}

/** RFC 7386 merge patch. */
function applyMergePatch(target: Json, patch: unknown): void {
  for (const [key, value] of Object.entries(rec(patch))) {
    if (value === null) delete target[key];
    else if (
      typeof value === 'object' &&
      !Array.isArray(value) &&
      typeof target[key] === 'object' &&
      target[key] !== null
    )
      applyMergePatch(target[key] as Json, value);
    else target[key] = value;
  }
}

function rec(value: unknown): Json {
  return value !== null && typeof value === 'object' ? (value as Json) : {};
}

/** Field selectors: `a.b=c`, `a.b==c`, `a.b!=c`, comma-separated; the value is looked up by its dotted path. */
function fieldFilter(selector: string | undefined): (object: KubeObject) => boolean {
  if (!selector) return () => true;
  const terms = selector.split(',').map((term) => {
    const m = /^([A-Za-z.]+)\s*(==|=|!=)\s*(.*)$/.exec(term.trim());
    if (!m) throw badRequest(`invalid field selector: ${term}`);
    const [, path = '', op, value = ''] = m;
    return { path: path.split('.'), negate: op === '!=', value };
  });
  return (object) =>
    terms.every(({ path, negate, value }) => {
      let current: unknown = object;
      for (const part of path) current = rec(current)[part];
      const actual =
        typeof current === 'string' || typeof current === 'number' || typeof current === 'boolean'
          ? String(current)
          : '';
      return negate ? actual !== value : actual === value;
    });
}

function labelFilter(selector: string | undefined): (object: KubeObject) => boolean {
  if (selector === undefined || selector.trim() === '') return () => true;
  const parsed = parseLabelSelector(selector);
  if (!parsed.ok) throw badRequest(`unable to parse requirement: ${parsed.message}`);
  return (object) => matchesLabels(parsed.requirements, rec(object.metadata.labels) as Record<string, string>);
}

/** Items of a list answer carry no kind/apiVersion, as with the real API server. */
function listItem(object: KubeObject): Json {
  const { kind: _kind, apiVersion: _apiVersion, ...rest } = object;
  return rest;
}

function paginate(objects: KubeObject[], query: Record<string, string>): { page: KubeObject[]; meta: Json } {
  let offset = 0;
  if (query.continue) {
    const decoded = Number(Buffer.from(query.continue, 'base64url').toString('utf8'));
    if (!Number.isInteger(decoded) || decoded < 0)
      throw new HttpError(
        410,
        kubeStatus(410, 'The provided continue parameter is too old to display a consistent list result.'),
      );
    offset = decoded;
  }
  const limit = query.limit ? Number(query.limit) : 0;
  if (!Number.isInteger(limit) || limit < 0) throw badRequest(`invalid limit: ${query.limit}`);
  const page = limit > 0 ? objects.slice(offset, offset + limit) : objects.slice(offset);
  const next = offset + page.length;
  const meta: Json = { resourceVersion: '10000' };
  if (limit > 0 && next < objects.length) {
    meta.continue = Buffer.from(String(next), 'utf8').toString('base64url');
    meta.remainingItemCount = objects.length - next;
  }
  return { page, meta };
}

function wantsTable(req: IncomingMessage): boolean {
  return (req.headers.accept ?? '').includes('as=Table');
}

function waitingReasonMessage(reason: string | undefined): string {
  if (reason === 'ImagePullBackOff' || reason === 'ErrImagePull') return 'trying and failing to pull image';
  return reason ?? 'ContainerCreating';
}

/** Selects log lines as the kubelet does: sinceSeconds, then tailLines, then limitBytes from the start. */
function selectLog(lines: string[], query: Record<string, string>, now: number): string {
  // The fake treats a container's lines as written one per second, the last one just now.
  const stamped = lines.map((line, i) => ({ line, at: now - (lines.length - 1 - i) * 1000 }));
  let selected = stamped;
  if (query.sinceSeconds !== undefined) {
    const since = Number(query.sinceSeconds);
    if (!Number.isFinite(since) || since < 1) throw badRequest('sinceSeconds: Invalid value: must be greater than 0');
    selected = selected.filter((l) => l.at >= now - since * 1000);
  }
  if (query.tailLines !== undefined) {
    const tail = Number(query.tailLines);
    if (!Number.isInteger(tail) || tail < 0)
      throw badRequest('tailLines: Invalid value: must be greater than or equal to 0');
    selected = tail === 0 ? [] : selected.slice(-tail);
  }
  const withTimestamps = query.timestamps === 'true';
  let text = selected
    .map((l) => `${withTimestamps ? `${new Date(l.at).toISOString().replace('Z', '000000Z')} ` : ''}${l.line}\n`)
    .join('');
  if (query.limitBytes !== undefined) {
    const limit = Number(query.limitBytes);
    if (!Number.isInteger(limit) || limit < 1) throw badRequest('limitBytes: Invalid value: must be greater than 0');
    const bytes = Buffer.from(text, 'utf8');
    if (bytes.length > limit) text = bytes.subarray(0, limit).toString('utf8');
  }
  return text;
}

function kubeconfigFor(url: string, token: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: fake',
    '  cluster:',
    `    server: ${url}`,
    '    insecure-skip-tls-verify: true',
    'users:',
    '- name: fake-user',
    '  user:',
    `    token: ${token}`,
    'contexts:',
    '- name: fake',
    '  context:',
    '    cluster: fake',
    '    user: fake-user',
    '    namespace: default',
    'current-context: fake',
    '',
  ].join('\n');
}

export async function startFakeKubeApi(options: FakeKubeApiOptions = {}): Promise<FakeKubeApi> {
  const clock: ObjectClock = { now: Date.now() };
  const namespaces = new Map<string, NamespaceState>();
  const tokens = new Map<string, TokenUser>(Object.entries(options.tokens ?? {}));
  const clientToken = options.clientToken ?? 'fake-kube-api-token';
  let nextResourceVersion = 20_000;

  function loadScenarios(scenarios: Scenario[]): void {
    for (const scenario of scenarios) {
      // A scenario about a namespace that does not exist leaves nothing on the server.
      if (scenario.namespaceExists === false) continue;
      const rollout = buildRollout(scenario, clock);
      const { canaries, deployments } = buildFlaggerObjects(scenario, clock);
      namespaces.set(scenario.namespace, {
        canaries,
        deployments,
        scenario,
        pods: scenario.pods
          .map((p) => buildPod(scenario, p, clock))
          .sort((a, b) => String(a.metadata.name).localeCompare(String(b.metadata.name))),
        events: buildEvents(scenario, clock).sort((a, b) =>
          String(a.metadata.name).localeCompare(String(b.metadata.name)),
        ),
        ...(rollout ? { rollout } : {}),
      });
    }
  }
  loadScenarios(options.scenarios ?? []);

  /** Pods with a fixed age (`ageSeconds`) are that old when asked, however long ago the fake started. */
  function podsNow(state: NamespaceState): KubeObject[] {
    if (!state.scenario.pods.some((p) => p.ageSeconds !== undefined)) return state.pods;
    const now: ObjectClock = { now: Date.now() };
    return state.pods.map((object) => {
      const pod = state.scenario.pods.find((p) => p.name === object.metadata.name);
      return pod?.ageSeconds !== undefined ? buildPod(state.scenario, pod, now) : object;
    });
  }

  function allOf(pick: (state: NamespaceState) => KubeObject[], namespace: string | undefined): KubeObject[] {
    if (namespace !== undefined) {
      const state = namespaces.get(namespace);
      return state ? pick(state) : [];
    }
    return [...namespaces.values()].flatMap(pick);
  }

  function sendJson(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      'cache-control': 'no-cache, private',
    });
    res.end(text);
  }

  function listAnswer(
    req: IncomingMessage,
    kind: string,
    apiVersion: string,
    objects: KubeObject[],
    query: Record<string, string>,
    tableKind: 'pods' | 'events' | 'generic',
  ): Json {
    const filtered = objects.filter(labelFilter(query.labelSelector)).filter(fieldFilter(query.fieldSelector));
    const { page, meta } = paginate(filtered, query);
    if (wantsTable(req)) return toTable(tableKind, page, Date.now(), meta);
    return { kind, apiVersion, metadata: meta, items: page.map(listItem) };
  }

  function oneAnswer(req: IncomingMessage, object: KubeObject, tableKind: 'pods' | 'events' | 'generic'): Json {
    return wantsTable(req) ? toTable(tableKind, [object], Date.now()) : object;
  }

  function namespaceObject(name: string): KubeObject {
    return {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name,
        uid: stableUid(`ns/${name}`),
        resourceVersion: '100',
        creationTimestamp: new Date(clock.now - 60 * 24 * 3600_000).toISOString().replace(/\.\d+Z$/, 'Z'),
        labels: { 'kubernetes.io/metadata.name': name },
      },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    };
  }

  function readLog(namespace: string, podName: string, query: Record<string, string>): string {
    const state = namespaces.get(namespace);
    const scenarioPod: ScenarioPod | undefined = state?.scenario.pods.find((p) => p.name === podName);
    if (!state || !scenarioPod) throw notFound('pods', podName);
    let container: ScenarioContainer | undefined;
    if (query.container) {
      container = scenarioPod.containers.find((c) => c.name === query.container);
      if (!container) throw badRequest(`container ${query.container} is not valid for pod ${podName}`);
    } else if (scenarioPod.containers.length === 1) {
      container = scenarioPod.containers[0];
    } else {
      throw badRequest(
        `a container name must be specified for pod ${podName}, choose one of: [${scenarioPod.containers.map((c) => c.name).join(' ')}]`,
      );
    }
    if (!container) throw badRequest(`pod ${podName} has no containers`);
    if (query.previous === 'true') {
      if (!container.lastState || container.lastState.state !== 'terminated' || container.previousLogs === undefined) {
        throw badRequest(`previous terminated container "${container.name}" in pod "${podName}" not found`);
      }
      return selectLog(container.previousLogs, query, Date.now());
    }
    const waiting = container.state?.state === 'waiting';
    // A container that never started has no log; one in CrashLoopBackOff still serves its last instance's log.
    if (waiting && !container.restartCount) {
      throw badRequest(
        `container "${container.name}" in pod "${podName}" is waiting to start: ${waitingReasonMessage(container.state?.reason)}`,
      );
    }
    return selectLog(container.logs, query, Date.now());
  }

  function parseBody(text: string): unknown {
    if (Buffer.byteLength(text) > 3 * 1024 * 1024)
      throw new HttpError(413, kubeStatus(413, 'Request entity too large: limit is 3145728'));
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw badRequest(
        'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf',
      );
    }
  }

  function tokenReview(body: unknown): Json {
    const spec = rec(rec(body).spec);
    const token = typeof spec.token === 'string' ? spec.token : '';
    const audiences = Array.isArray(spec.audiences) ? spec.audiences : undefined;
    const user = tokens.get(token);
    const status: Json = user
      ? {
          authenticated: true,
          user: {
            username: user.username,
            uid: stableUid(`user/${user.username}`),
            groups: user.groups ?? ['system:authenticated'],
          },
          ...(audiences ? { audiences } : {}),
        }
      : { authenticated: false, user: {}, error: '[invalid bearer token, token lookup failed]' };
    return {
      kind: 'TokenReview',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec,
      status,
    };
  }

  async function route(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    path: string,
    query: Record<string, string>,
    body: string,
  ): Promise<void> {
    const segments = path.split('/').filter(Boolean).map(decodeURIComponent);
    const get = method === 'GET';
    if (get && path === '/version') {
      return sendJson(res, 200, {
        major: '1',
        minor: '32',
        gitVersion: 'v1.32.4',
        gitCommit: '0000000000000000000000000000000000000000',
        gitTreeState: 'clean',
        buildDate: '2025-04-22T16:02:00Z',
        goVersion: 'go1.23.6',
        compiler: 'gc',
        platform: 'linux/amd64',
      });
    }
    if (get && path === '/api')
      return sendJson(res, 200, {
        kind: 'APIVersions',
        versions: ['v1'],
        serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: req.headers.host ?? '127.0.0.1' }],
      });
    if (get && path === '/apis')
      return sendJson(res, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups: API_GROUPS });
    if (get && path === '/api/v1') return sendJson(res, 200, DISCOVERY.core);
    if (get && path === '/apis/argoproj.io')
      return sendJson(res, 200, { kind: 'APIGroup', apiVersion: 'v1', ...API_GROUPS[1] });
    if (get && path === '/apis/authentication.k8s.io')
      return sendJson(res, 200, { kind: 'APIGroup', apiVersion: 'v1', ...API_GROUPS[0] });
    if (get && path === '/apis/argoproj.io/v1alpha1') return sendJson(res, 200, DISCOVERY.argo);
    if (get && path === '/apis/authentication.k8s.io/v1') return sendJson(res, 200, DISCOVERY.authentication);
    for (const [group, served] of Object.entries(CUSTOM_RESOURCES)) {
      if (get && path === `/apis/${group}`)
        return sendJson(res, 200, { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(group, served.version) });
      if (get && path === `/apis/${group}/${served.version}`) return sendJson(res, 200, served.discovery);
    }

    if (method === 'POST' && path === '/apis/authentication.k8s.io/v1/tokenreviews') {
      return sendJson(res, 201, tokenReview(parseBody(body)));
    }

    if (get && segments[0] === 'api' && segments[1] === 'v1') {
      const rest = segments.slice(2);
      // Cluster-wide lists: /api/v1/pods, /api/v1/events, /api/v1/namespaces
      if (rest.length === 1 && rest[0] === 'pods')
        return sendJson(res, 200, listAnswer(req, 'PodList', 'v1', allOf(podsNow, undefined), query, 'pods'));
      if (rest.length === 1 && rest[0] === 'events')
        return sendJson(
          res,
          200,
          listAnswer(
            req,
            'EventList',
            'v1',
            allOf((s) => s.events, undefined),
            query,
            'events',
          ),
        );
      if (rest[0] === 'namespaces') {
        const namespace = rest[1];
        if (rest.length === 1) {
          const all = ['default', 'kube-system', ...namespaces.keys()].map(namespaceObject);
          return sendJson(res, 200, listAnswer(req, 'NamespaceList', 'v1', all, query, 'generic'));
        }
        if (namespace === undefined) throw notFound('namespaces', '');
        if (rest.length === 2) {
          if (namespace !== 'default' && namespace !== 'kube-system' && !namespaces.has(namespace))
            throw notFound('namespaces', namespace);
          return sendJson(res, 200, oneAnswer(req, namespaceObject(namespace), 'generic'));
        }
        const resource = rest[2];
        const name = rest[3];
        // Listing in a namespace that does not exist answers an empty list, as the real API server does.
        if (resource === 'pods' && rest.length === 3)
          return sendJson(res, 200, listAnswer(req, 'PodList', 'v1', allOf(podsNow, namespace), query, 'pods'));
        if (resource === 'events' && rest.length === 3)
          return sendJson(
            res,
            200,
            listAnswer(
              req,
              'EventList',
              'v1',
              allOf((s) => s.events, namespace),
              query,
              'events',
            ),
          );
        if (resource === 'pods' && name !== undefined && rest.length === 4) {
          const state = namespaces.get(namespace);
          const pod = state ? podsNow(state).find((p) => p.metadata.name === name) : undefined;
          if (!pod) throw notFound('pods', name);
          return sendJson(res, 200, oneAnswer(req, pod, 'pods'));
        }
        if (resource === 'pods' && name !== undefined && rest.length === 5 && rest[4] === 'log') {
          const text = readLog(namespace, name, query);
          res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-cache, private' });
          res.end(text);
          return;
        }
        if (resource === 'events' && name !== undefined && rest.length === 4) {
          const event = namespaces.get(namespace)?.events.find((e) => e.metadata.name === name);
          if (!event) throw notFound('events', name);
          return sendJson(res, 200, oneAnswer(req, event, 'events'));
        }
      }
    }

    // Event writes: create (409 when the name exists) and patch (JSON patch or merge patch), recorded in the namespace.
    if (segments[0] === 'api' && segments[1] === 'v1' && segments[2] === 'namespaces' && segments[4] === 'events') {
      const namespace = segments[3] ?? '';
      const name = segments[5];
      if (method === 'POST' && segments.length === 5) {
        const state = namespaces.get(namespace);
        if (!state) throw notFound('namespaces', namespace);
        const event = rec(parseBody(body)) as KubeObject;
        const metadata = rec(event.metadata);
        const eventName = typeof metadata.name === 'string' && metadata.name !== '' ? metadata.name : undefined;
        if (!eventName) throw new HttpError(422, kubeStatus(422, 'Event "" is invalid: metadata.name: Required value'));
        if (state.events.some((e) => e.metadata.name === eventName))
          throw new HttpError(
            409,
            kubeStatus(409, `events "${eventName}" already exists`, { name: eventName, kind: 'events' }),
          );
        const created: KubeObject = {
          ...event,
          apiVersion: 'v1',
          kind: 'Event',
          metadata: {
            ...metadata,
            name: eventName,
            namespace,
            uid: stableUid(`event/${namespace}/${eventName}`),
            resourceVersion: String(nextResourceVersion++),
            creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
          },
        };
        state.events.push(created);
        return sendJson(res, 201, created);
      }
      if (method === 'PATCH' && name !== undefined && segments.length === 6) {
        const event = namespaces.get(namespace)?.events.find((e) => e.metadata.name === name);
        if (!event) throw notFound('events', name);
        const type = req.headers['content-type'] ?? '';
        const patch = parseBody(body);
        if (type.startsWith('application/json-patch+json')) applyJsonPatch(event, patch);
        else if (
          type.startsWith('application/merge-patch+json') ||
          type.startsWith('application/strategic-merge-patch+json')
        )
          applyMergePatch(event, patch);
        else throw new HttpError(415, kubeStatus(415, `the body of the request was in an unknown format: ${type}`));
        event.metadata.resourceVersion = String(nextResourceVersion++);
        return sendJson(res, 200, event);
      }
    }

    // Deployments (apps/v1) and Flagger Canaries (flagger.app/v1beta1): reads.
    const served = segments[0] === 'apis' ? CUSTOM_RESOURCES[segments[1] ?? ''] : undefined;
    if (get && served && segments[2] === served.version) {
      const rest = segments.slice(3);
      const pick = (state: NamespaceState): KubeObject[] =>
        served.plural === 'deployments' ? state.deployments : state.canaries;
      const apiVersion = `${segments[1]}/${served.version}`;
      if (rest.length === 1 && rest[0] === served.plural)
        return sendJson(
          res,
          200,
          listAnswer(req, served.listKind, apiVersion, allOf(pick, undefined), query, 'generic'),
        );
      if (rest[0] === 'namespaces' && rest[2] === served.plural) {
        const namespace = rest[1];
        const name = rest[3];
        if (rest.length === 3)
          return sendJson(
            res,
            200,
            listAnswer(req, served.listKind, apiVersion, allOf(pick, namespace), query, 'generic'),
          );
        if (rest.length === 4 && name !== undefined) {
          const object = allOf(pick, namespace).find((o) => o.metadata.name === name);
          if (!object) throw notFound(served.plural, name, segments[1] === 'apps' ? 'apps' : segments[1]);
          return sendJson(res, 200, oneAnswer(req, object, 'generic'));
        }
      }
    }

    if (get && segments[0] === 'apis' && segments[1] === 'argoproj.io' && segments[2] === 'v1alpha1') {
      const rest = segments.slice(3);
      const rollouts = (namespace: string | undefined): KubeObject[] =>
        allOf((s) => (s.rollout ? [s.rollout] : []), namespace);
      if (rest.length === 1 && rest[0] === 'rollouts')
        return sendJson(
          res,
          200,
          listAnswer(req, 'RolloutList', 'argoproj.io/v1alpha1', rollouts(undefined), query, 'generic'),
        );
      if (rest[0] === 'namespaces' && rest[2] === 'rollouts') {
        const namespace = rest[1];
        const name = rest[3];
        if (rest.length === 3)
          return sendJson(
            res,
            200,
            listAnswer(req, 'RolloutList', 'argoproj.io/v1alpha1', rollouts(namespace), query, 'generic'),
          );
        if (rest.length === 4 && name !== undefined) {
          const rollout = rollouts(namespace).find((r) => r.metadata.name === name);
          if (!rollout) throw notFound('rollouts', name, 'argoproj.io');
          return sendJson(res, 200, oneAnswer(req, rollout, 'generic'));
        }
      }
    }

    if (!get && method !== 'POST' && method !== 'PATCH')
      throw new HttpError(405, kubeStatus(405, `the server does not allow this method on the requested resource`));
    throw new HttpError(404, kubeStatus(404, 'the server could not find the requested resource', {}));
  }

  const server = await startFakeHttpServer({
    errorBody: (status, request) =>
      status === 410
        ? kubeStatus(
            410,
            'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results.',
            {},
          )
        : kubeStatus(status, defaultFaultMessage(status, request.method, request.path)),
    async handle(request, res, req) {
      if (options.requireClientToken && request.headers.authorization !== `Bearer ${clientToken}`) {
        sendJson(res, 401, kubeStatus(401, 'Unauthorized'));
        return;
      }
      try {
        await route(req, res, request.method, request.path, request.query, request.body);
      } catch (err) {
        if (res.headersSent) res.destroy();
        else if (err instanceof HttpError) sendJson(res, err.status, err.body);
        else sendJson(res, 500, kubeStatus(500, `internal error: ${err instanceof Error ? err.message : String(err)}`));
      }
    },
  });
  const url = server.url;

  return {
    url,
    requests: server.requests,
    faults: server.faults,
    get connectionsAccepted() {
      return server.connectionsAccepted;
    },
    get openRequests() {
      return server.openRequests;
    },
    kubeconfigYaml: () => kubeconfigFor(url, clientToken),
    async writeKubeconfig(dir: string): Promise<string> {
      const file = join(dir, 'kubeconfig.yaml');
      await writeFile(file, kubeconfigFor(url, clientToken), { mode: 0o600 });
      return file;
    },
    loadScenarios,
    events: (namespace) => namespaces.get(namespace)?.events ?? [],
    setToken(token, user) {
      if (user) tokens.set(token, user);
      else tokens.delete(token);
    },
    waitForRequest: (predicate) => server.waitForRequest(predicate),
    close: () => server.close(),
  };
}

function defaultFaultMessage(status: number, method: string, path: string): string {
  const segments = path.split('/').filter(Boolean);
  const namespaceIndex = segments.indexOf('namespaces');
  const namespace = namespaceIndex >= 0 ? segments[namespaceIndex + 1] : undefined;
  const resource =
    namespaceIndex >= 0 ? (segments[namespaceIndex + 2] ?? 'namespaces') : (segments[segments.length - 1] ?? '');
  const group = segments[0] === 'apis' ? (segments[1] ?? '') : '';
  const verb =
    method === 'GET'
      ? namespaceIndex >= 0 && segments.length > namespaceIndex + 3
        ? 'get'
        : 'list'
      : method.toLowerCase();
  switch (status) {
    case 401:
      return 'Unauthorized';
    case 403:
      return `${resource} is forbidden: User "system:serviceaccount:aiops:aiops-agent" cannot ${verb} resource "${resource}" in API group "${group}"${namespace ? ` in the namespace "${namespace}"` : ''}`;
    case 429:
      return 'Too many requests, please try again later.';
    case 503:
      return 'the server is currently unable to handle the request';
    default:
      return 'Internal error occurred: fake fault';
  }
}
