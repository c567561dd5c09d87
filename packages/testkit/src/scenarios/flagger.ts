/**
 * A corpus scenario as Flagger would run it: the canary pods belong to Deployment `<target>` (labels
 * `app: <target>`), the stable pods to Flagger's `<target>-primary` (labels `app: <target>-primary`), a Canary
 * `<target>` targets the first, and there is no Rollout. Same logs, states, events and metrics, so the same verdict.
 */
import type { Scenario } from '../scenario.js';

export function asFlaggerScenario(base: Scenario, options: { canaryObject?: false } = {}): Scenario {
  const scenario = structuredClone(base);
  const target = scenario.rolloutName;
  scenario.id = `flagger-${base.id}${options.canaryObject === false ? '-no-canary' : ''}`;
  scenario.namespace = `flg-${base.namespace.replace(/^scn-/, '')}${options.canaryObject === false ? '-nc' : ''}`.slice(
    0,
    63,
  );
  delete scenario.rollout;
  delete scenario.canarySelector;
  delete scenario.stableSelector;
  for (const pod of scenario.pods) pod.labels = { app: pod.side === 'canary' ? target : `${target}-primary` };
  scenario.flagger = { name: target, target, ...(options.canaryObject === false ? { canaryObject: false } : {}) };
  scenario.tags = [...scenario.tags, 'flagger'];
  return scenario;
}
