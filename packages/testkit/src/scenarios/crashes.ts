/**
 * Canaries that fail hard in ways the Kubernetes API and the previous container's log reveal: a Spring start-up
 * failure, a missing Secret key, one OOM kill among five pods, a Go fatal error, a Node unhandled rejection, and an
 * image whose manifest the registry does not know.
 */
import type { Scenario, ScenarioEvent } from '../scenario.js';
import { app, routes } from './apps.js';
import {
  buildPods,
  CANARY_STARTED_AT,
  healthyMetrics,
  rolloutEvents,
  rolloutFor,
  series,
  type AppDefinition,
  type GeneratedPod,
} from './build.js';
import { goConcurrentMapWrites, pinoUnhandledRejection, springStartupFailure } from './failures.js';
import { podLogs, type PodLogs } from './logs.js';

const after = (startAt: string, ms: number): string => new Date(Date.parse(startAt) + ms).toISOString();

/** Logs of one instance of a pod (by default the one before its restart), from its own simulated requests. */
function instanceLogs(
  seed: string,
  a: AppDefinition,
  pod: GeneratedPod,
  startAt: string,
  requests: number,
  instance: 'previous' | 'current' = 'previous',
): PodLogs {
  return podLogs({
    seed: `${seed}/${pod.name}/${instance}`,
    style: a.style,
    service: a.name,
    version: pod.version,
    podName: pod.name,
    podIp: pod.podIp,
    startAt,
    requests,
    routes: a.routes,
  });
}

function podEvent(
  type: ScenarioEvent['type'],
  reason: string,
  message: string,
  objectName: string,
  count: number,
): ScenarioEvent {
  return { type, reason, message, objectKind: 'Pod', objectName, count };
}

/** No canary container ever ran: Prometheus has stable's series only. */
function stableOnlyMetrics(seed: string): NonNullable<Scenario['metrics']> {
  const healthy = healthyMetrics(seed);
  const stableOnly = Object.fromEntries(
    Object.entries(healthy).map(([key, value]) => [key, { stable: value.stable, canary: [] }]),
  );
  return stableOnly;
}

function crashloopJavaCausedBy(): Scenario {
  const a = app('invoicing', 'java-spring', '0.3.9', '0.4.0', routes.billing);
  const pods = buildPods('crashloop-java-caused-by', a, {
    stable: { count: 2 },
    canary: {
      count: 1,
      requests: 0,
      app: (_i, generated) => {
        // The banner and "Starting Application" come out before the context fails; the cause comes out ~4 s later.
        const banner = generated.app.slice(0, 9);
        return {
          ready: false,
          restartCount: 4,
          state: {
            state: 'waiting',
            reason: 'CrashLoopBackOff',
            message: 'back-off 1m20s restarting failed container=invoicing pod=invoicing-canary',
          },
          lastState: {
            state: 'terminated',
            reason: 'Error',
            exitCode: 1,
            startedAt: '2025-06-03T09:34:40Z',
            finishedAt: '2025-06-03T09:34:45Z',
          },
          logs: banner,
          previousLogs: [
            ...banner,
            ...springStartupFailure('invoicing', '0.4.0', new Date(Date.parse(CANARY_STARTED_AT) + 4100)),
          ],
        };
      },
    },
  });
  const canaryName = pods.pods.find((p) => p.side === 'canary')?.name ?? 'invoicing';
  return {
    id: 'crashloop-java-caused-by',
    title: 'Spring Boot crash loop; the Caused by chain is only in the previous container log',
    description:
      "The canary fails to start because LEDGER_API_URL is not set: the reason is the last `Caused by:` of the previous container's log; the current container has printed only the banner.",
    namespace: 'scn-crashloop-java-caused-by',
    rolloutName: a.name,
    repoUrl: 'https://github.com/acme/invoicing',
    rollout: rolloutFor(pods, '4', 20),
    pods: pods.pods,
    events: [
      ...rolloutEvents(a.name, '4', pods),
      podEvent(
        'Normal',
        'Pulled',
        'Container image "ghcr.io/acme/invoicing:0.4.0" already present on machine',
        canaryName,
        5,
      ),
      podEvent(
        'Warning',
        'BackOff',
        `Back-off restarting failed container invoicing in pod ${canaryName}_scn-crashloop-java-caused-by`,
        canaryName,
        17,
      ),
    ],
    metrics: {
      ...healthyMetrics('crashloop-java-caused-by'),
      restarts: series('crashloop-java-caused-by/restarts', 0, 4, 0),
      request_rate: series('crashloop-java-caused-by/rr', 40, 0, 0),
    },
    expected: { promote: false, hardFailure: 'crash-loop', rootCauseMentions: ['LEDGER_API_URL'] },
    tags: ['crash-loop', 'java', 'spring', 'previous-logs', 'caused-by', 'config-error'],
  };
}

function missingSecretKey(): Scenario {
  const a = app('mailer', 'go-json', '1.19.0', '1.20.0', routes.webhooks);
  const reason = "couldn't find key SENDGRID_API_KEY in Secret scn-missing-secret-key/mailer-secrets";
  const pods = buildPods('missing-secret-key', a, {
    stable: { count: 2 },
    canary: {
      count: 1,
      phase: 'Pending',
      requests: 0,
      app: () => ({
        ready: false,
        state: { state: 'waiting', reason: 'CreateContainerConfigError', message: reason },
        logs: [],
      }),
    },
  });
  const canaryName = pods.pods.find((p) => p.side === 'canary')?.name ?? 'mailer';
  return {
    id: 'missing-secret-key',
    title: 'CreateContainerConfigError: a key missing from a Secret',
    description:
      "The canary's env refers to SENDGRID_API_KEY in a Secret that does not have that key; the kubelet never creates the container.",
    namespace: 'scn-missing-secret-key',
    rolloutName: a.name,
    rollout: rolloutFor(pods, '22', 20),
    pods: pods.pods,
    events: [
      ...rolloutEvents(a.name, '22', pods, { started: false }),
      podEvent(
        'Normal',
        'Pulled',
        'Container image "ghcr.io/acme/mailer:1.20.0" already present on machine',
        canaryName,
        8,
      ),
      podEvent('Warning', 'Failed', `Error: ${reason}`, canaryName, 8),
    ],
    metrics: stableOnlyMetrics('missing-secret-key'),
    expected: { promote: false, hardFailure: 'config-error', rootCauseMentions: ['SENDGRID_API_KEY'] },
    tags: ['config-error', 'missing-secret', 'no-logs', 'go'],
  };
}

function oomOneOfFive(): Scenario {
  const a = app('thumbnails', 'go-json', '0.9.12', '0.10.0', routes.images);
  const seed = 'oom-one-of-five';
  const pods = buildPods(seed, a, {
    stable: { count: 5, requests: 240 },
    canary: {
      count: 5,
      requests: 220,
      app: (i, generated, pod) => {
        if (i !== 3) return {};
        // Killed once by the kernel while resizing a huge upload; restarted and serving again.
        const previous = instanceLogs(seed, a, pod, pod.startAt, 70);
        const current = podLogs({
          seed: `${seed}/${pod.name}/current`,
          style: a.style,
          service: a.name,
          version: pod.version,
          podName: pod.name,
          podIp: pod.podIp,
          startAt: after(pod.startAt, 190_000),
          requests: 150,
          routes: a.routes,
        });
        return {
          restartCount: 1,
          state: { state: 'running', startedAt: after(pod.startAt, 190_000) },
          lastState: {
            state: 'terminated',
            reason: 'OOMKilled',
            exitCode: 137,
            startedAt: pod.startAt,
            finishedAt: after(pod.startAt, 188_400),
          },
          logs: current.app,
          previousLogs: previous.app,
        };
      },
    },
  });
  return {
    id: 'oom-one-of-five',
    title: 'One of five canary pods OOMKilled once',
    description:
      'Five canary pods; the fourth was OOMKilled once (restartCount 1) and is running again. The other pods and all logs look healthy.',
    namespace: 'scn-oom-one-of-five',
    rolloutName: a.name,
    rollout: rolloutFor(pods, '35', 50, 4),
    pods: pods.pods,
    events: rolloutEvents(a.name, '35', pods),
    metrics: healthyMetrics('oom-one-of-five'),
    expected: { promote: false, hardFailure: 'oom-killed' },
    tags: ['oom-killed', 'multi-pod', 'single-restart', 'go', 'json-logs'],
  };
}

function goFatalConcurrentMap(): Scenario {
  const a = app('sessions', 'go-text', '5.5.1', '5.6.0', routes.sessions);
  const seed = 'go-fatal-concurrent-map';
  const pods = buildPods(seed, a, {
    stable: { count: 2, mesh: true },
    canary: {
      count: 1,
      mesh: true,
      app: (_i, _generated, pod) => {
        // Each crash kills the process (no recover for fatal errors); the second instance is still up, for now.
        const restartedAt = after(pod.startAt, 420_000);
        const previous = instanceLogs(seed, a, pod, after(pod.startAt, 210_000), 120);
        const current = podLogs({
          seed: `${seed}/${pod.name}/current`,
          style: a.style,
          service: a.name,
          version: pod.version,
          podName: pod.name,
          podIp: pod.podIp,
          startAt: restartedAt,
          requests: 160,
          routes: a.routes,
        });
        return {
          restartCount: 2,
          state: { state: 'running', startedAt: restartedAt },
          lastState: {
            state: 'terminated',
            reason: 'Error',
            exitCode: 2,
            startedAt: after(pod.startAt, 210_000),
            finishedAt: after(pod.startAt, 418_700),
          },
          logs: current.app,
          previousLogs: [...previous.app, ...goConcurrentMapWrites(previous.app.length)],
        };
      },
    },
  });
  const canaryName = pods.pods.find((p) => p.side === 'canary')?.name ?? 'sessions';
  return {
    id: 'go-fatal-concurrent-map',
    title: 'Go fatal error: concurrent map writes',
    description:
      "The canary's new in-memory session store writes one map from several goroutines; the runtime aborts the process (exit 2). The dump is in the previous container log.",
    namespace: 'scn-go-fatal-concurrent-map',
    rolloutName: a.name,
    repoUrl: 'https://github.com/acme/sessions',
    rollout: rolloutFor(pods, '18', 20),
    pods: pods.pods,
    events: [
      ...rolloutEvents(a.name, '18', pods),
      podEvent(
        'Warning',
        'BackOff',
        `Back-off restarting failed container sessions in pod ${canaryName}_scn-go-fatal-concurrent-map`,
        canaryName,
        1,
      ),
    ],
    metrics: healthyMetrics('go-fatal-concurrent-map'),
    expected: { promote: false, hardFailure: 'panic', rootCauseMentions: ['concurrent map writes'] },
    tags: ['panic', 'fatal-error', 'previous-logs', 'go', 'istio'],
  };
}

function nodeUnhandledRejection(): Scenario {
  const a = app('webhooks', 'node-pino', '3.0.4', '3.1.0', routes.webhooks);
  const seed = 'node-unhandled-rejection';
  const pods = buildPods(seed, a, {
    stable: { count: 2 },
    canary: {
      count: 1,
      app: (_i, _generated, pod) => {
        const previousStart = after(pod.startAt, 95_000);
        const restartedAt = after(pod.startAt, 240_000);
        const previous = instanceLogs(seed, a, pod, previousStart, 80);
        const current = podLogs({
          seed: `${seed}/${pod.name}/current`,
          style: a.style,
          service: a.name,
          version: pod.version,
          podName: pod.name,
          podIp: pod.podIp,
          startAt: restartedAt,
          requests: 90,
          routes: a.routes,
        });
        return {
          restartCount: 2,
          state: { state: 'running', startedAt: restartedAt },
          lastState: {
            state: 'terminated',
            reason: 'Error',
            exitCode: 1,
            startedAt: previousStart,
            finishedAt: after(pod.startAt, 238_900),
          },
          logs: current.app,
          previousLogs: [
            ...previous.app,
            pinoUnhandledRejection(new Date(Date.parse(pod.startAt) + 238_850), pod.name, 'dlv_7f3a91c2e0'),
          ],
        };
      },
    },
  });
  const canaryName = pods.pods.find((p) => p.side === 'canary')?.name ?? 'webhooks';
  return {
    id: 'node-unhandled-rejection',
    title: 'Node UnhandledPromiseRejection restarts the canary',
    description:
      'A webhook delivery to an endpoint that answers 410 rejects a promise nobody awaits with a catch; the process handler logs it and exits 1. The canary has restarted twice.',
    namespace: 'scn-node-unhandled-rejection',
    rolloutName: a.name,
    repoUrl: 'https://github.com/acme/webhooks',
    rollout: rolloutFor(pods, '26', 20),
    pods: pods.pods,
    events: [
      ...rolloutEvents(a.name, '26', pods),
      podEvent(
        'Warning',
        'BackOff',
        `Back-off restarting failed container webhooks in pod ${canaryName}_scn-node-unhandled-rejection`,
        canaryName,
        2,
      ),
    ],
    metrics: healthyMetrics('node-unhandled-rejection'),
    expected: { promote: false, hardFailure: 'exception', rootCauseMentions: ['UnhandledPromiseRejection'] },
    tags: ['exception', 'unhandled-rejection', 'previous-logs', 'node', 'json-logs'],
  };
}

/** The first crash, seen before the kubelet restarts the container: terminated now, no restart counted yet. */
function nodeFirstCrashNotRestarted(): Scenario {
  const a = app('webhooks', 'node-pino', '3.0.4', '3.1.0', routes.webhooks);
  const seed = 'node-first-crash';
  const pods = buildPods(seed, a, {
    stable: { count: 2 },
    canary: {
      count: 1,
      app: (_i, _generated, pod) => {
        const logs = instanceLogs(seed, a, pod, pod.startAt, 60, 'current');
        return {
          ready: false,
          restartCount: 0,
          // As the API reports a container whose process just exited: its log is still the current one.
          state: {
            state: 'terminated',
            reason: 'Error',
            exitCode: 1,
            startedAt: pod.startAt,
            finishedAt: after(pod.startAt, 118_900),
          },
          logs: [
            ...logs.app,
            pinoUnhandledRejection(new Date(Date.parse(pod.startAt) + 118_850), pod.name, 'dlv_2b81d0f4a7'),
          ],
        };
      },
    },
  });
  return {
    id: 'node-first-crash-not-restarted',
    title: 'Node canary exited 1, not restarted yet',
    description:
      'The same unhandled rejection as node-unhandled-rejection, measured seconds after the first crash: the container is terminated with exit code 1, its restart count is still 0 and there is no back-off event yet.',
    namespace: 'scn-node-first-crash-not-restarted',
    rolloutName: a.name,
    repoUrl: 'https://github.com/acme/webhooks',
    rollout: rolloutFor(pods, '27', 20),
    pods: pods.pods,
    events: rolloutEvents(a.name, '27', pods),
    metrics: healthyMetrics('node-first-crash-not-restarted'),
    expected: { promote: false, hardFailure: 'terminated', rootCauseMentions: ['exit code 1', 'status code 410'] },
    tags: ['terminated', 'first-crash', 'node', 'json-logs'],
  };
}

function imagePullManifestUnknown(): Scenario {
  const a: AppDefinition = {
    name: 'ledger-sync',
    style: 'go-json',
    imageRepository: 'quay.io/acme/ledger-sync',
    stableVersion: '1.3.2',
    canaryVersion: '1.4.0',
    routes: routes.billing,
  };
  const image = `${a.imageRepository}:${a.canaryVersion}`;
  // CRI-O's wording: the tag was never pushed, the registry answers MANIFEST_UNKNOWN.
  const pullError = `initializing source docker://${image}: reading manifest ${a.canaryVersion} in ${a.imageRepository}: manifest unknown`;
  const pods = buildPods('image-pull-manifest-unknown', a, {
    stable: { count: 2 },
    canary: {
      count: 1,
      phase: 'Pending',
      requests: 0,
      app: () => ({ ready: false, state: { state: 'waiting', reason: 'ErrImagePull', message: pullError }, logs: [] }),
    },
  });
  const canaryName = pods.pods.find((p) => p.side === 'canary')?.name ?? 'ledger-sync';
  return {
    id: 'image-pull-manifest-unknown',
    title: 'ErrImagePull: manifest unknown',
    description:
      'The canary tag was never pushed to quay.io; the kubelet is between pull attempts (ErrImagePull) and the container has no logs.',
    namespace: 'scn-image-pull-manifest-unknown',
    rolloutName: a.name,
    rollout: rolloutFor(pods, '12', 20),
    pods: pods.pods,
    events: [
      ...rolloutEvents(a.name, '12', pods, { started: false }),
      podEvent('Normal', 'Pulling', `Pulling image "${image}"`, canaryName, 3),
      podEvent(
        'Warning',
        'Failed',
        `Failed to pull image "${image}": rpc error: code = Unknown desc = ${pullError}`,
        canaryName,
        3,
      ),
      podEvent('Warning', 'Failed', 'Error: ErrImagePull', canaryName, 3),
      podEvent('Normal', 'BackOff', `Back-off pulling image "${image}"`, canaryName, 2),
      podEvent('Warning', 'Failed', 'Error: ImagePullBackOff', canaryName, 2),
    ],
    metrics: stableOnlyMetrics('image-pull-manifest-unknown'),
    expected: { promote: false, hardFailure: 'image-pull' },
    tags: ['image-pull', 'manifest-unknown', 'no-logs', 'go'],
  };
}

export function crashScenarios(): Scenario[] {
  return [
    crashloopJavaCausedBy(),
    missingSecretKey(),
    oomOneOfFive(),
    goFatalConcurrentMap(),
    nodeUnhandledRejection(),
    imagePullManifestUnknown(),
    nodeFirstCrashNotRestarted(),
  ];
}
