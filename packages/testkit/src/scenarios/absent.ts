/**
 * Inconclusive scenarios: nothing to judge (absent evidence: a canarySelector that matches no pod because the new
 * pods carry other labels, selectors that select the same pods, a namespace that does not exist) and a canary that
 * looks healthy but has served almost nothing (thin evidence: five seconds old, one line). None may be promoted from
 * absent evidence; thin evidence may promote, with confidence at most 60.
 */
import type { Scenario } from '../scenario.js';
import { app, routes } from './apps.js';
import { buildPods, CANARY_STARTED_AT, rolloutEvents, rolloutFor } from './build.js';

/** The example: the Rollout's template says role=canary, its newest pods carry role=preview. */
function canaryLabelsMismatch(): Scenario {
  const a = app('refunds', 'go-json', '1.8.0', '1.9.0', routes.billing);
  const pods = buildPods('absent-canary-labels', a, {
    stable: { count: 2, labels: { app: 'refunds', role: 'stable' } },
    canary: { count: 1, labels: { app: 'refunds', role: 'preview' } },
  });
  return {
    id: 'absent-canary-labels',
    title: 'canarySelector matches no pod: the new pods carry role=preview',
    description:
      'The AnalysisTemplate says canaryLabel role=canary, but the Rollout labels its canary pods role=preview; nothing matches the canary selector.',
    namespace: 'scn-absent-canary-labels',
    rolloutName: a.name,
    rollout: rolloutFor(pods, '7', 20),
    pods: pods.pods,
    events: rolloutEvents(a.name, '7', pods),
    expected: {
      promote: false,
      inconclusive: {
        kind: 'absent',
        status: 409,
        reasonMentions: ['canarySelector role=canary', "Rollout's newest pods carry role=preview, app=refunds"],
      },
    },
    tags: ['inconclusive', 'absent', 'selector-mismatch'],
  };
}

/** The canary selector is the app label alone, so the stable pods match it too. */
function overlappingSelectors(): Scenario {
  const a = app('wallet', 'node-pino', '3.1.0', '3.2.0', routes.billing);
  const pods = buildPods('absent-overlapping-selectors', a, { stable: { count: 2 }, canary: { count: 1 } });
  return {
    id: 'absent-overlapping-selectors',
    title: 'Stable and canary selectors select the same pods',
    description:
      'canarySelector app=wallet also matches the stable pods: a comparison of a pod with itself is no evidence.',
    namespace: 'scn-absent-overlapping-selectors',
    rolloutName: a.name,
    stableSelector: 'app=wallet,role=stable',
    canarySelector: 'app=wallet',
    rollout: rolloutFor(pods, '12', 20),
    pods: pods.pods,
    events: rolloutEvents(a.name, '12', pods),
    expected: {
      promote: false,
      inconclusive: {
        kind: 'absent',
        status: 400,
        reasonMentions: ['canarySelector app=wallet', 'stableSelector app=wallet,role=stable'],
      },
    },
    tags: ['inconclusive', 'absent', 'overlapping-selectors'],
  };
}

/** The analysis names a namespace the cluster does not have. */
function missingNamespace(): Scenario {
  return {
    id: 'absent-namespace',
    title: 'The namespace does not exist',
    description:
      'A typo in the namespace: listing pods there answers an empty list, as the real API server does; the namespace itself is 404.',
    namespace: 'scn-absent-namespace',
    namespaceExists: false,
    rolloutName: 'payments',
    pods: [],
    events: [],
    expected: {
      promote: false,
      inconclusive: { kind: 'absent', status: 409, reasonMentions: ['namespace scn-absent-namespace does not exist'] },
    },
    tags: ['inconclusive', 'absent', 'missing-namespace'],
  };
}

/** A canary that started five seconds ago and has printed its first line only. */
function fiveSecondsOld(): Scenario {
  const a = app('invoices', 'go-json', '5.0.3', '5.1.0', routes.billing);
  const pods = buildPods('thin-five-seconds', a, {
    stable: { count: 2 },
    canary: {
      count: 1,
      requests: 0,
      app: (_i, generated) => ({
        state: { state: 'running', startedAt: CANARY_STARTED_AT },
        logs: generated.app.slice(0, 1),
      }),
    },
  });
  for (const pod of pods.pods) if (pod.side === 'canary') pod.ageSeconds = 5;
  return {
    id: 'thin-five-seconds',
    title: 'Canary five seconds old, one log line',
    description:
      'The canary pod is ready and healthy but started five seconds ago and has printed one start-up line: nothing bad seen, almost nothing seen.',
    namespace: 'scn-thin-five-seconds',
    rolloutName: a.name,
    rollout: rolloutFor(pods, '19', 20),
    pods: pods.pods,
    events: rolloutEvents(a.name, '19', pods),
    expected: {
      promote: true,
      inconclusive: { kind: 'thin', reasonMentions: ['it started less than a minute ago', '1 log line'] },
    },
    tags: ['inconclusive', 'thin', 'young-canary', 'go'],
  };
}

/** The inconclusive scenarios, in their own list: the verdict corpus (`scenarios`) holds the ones with a verdict. */
export function buildInconclusiveScenarios(): Scenario[] {
  return [canaryLabelsMismatch(), overlappingSelectors(), missingNamespace(), fiveSecondsOld()];
}

export const inconclusiveScenarios: Scenario[] = buildInconclusiveScenarios();
