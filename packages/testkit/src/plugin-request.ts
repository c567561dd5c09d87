/**
 * The exact request body the Argo Rollouts metric-ai plugin sends in agent mode (see metric-ai-contract.md),
 * built for a scenario: what the demo, the black-box tests and the evaluation replay.
 */
import type { Scenario } from './scenario.js';

export interface PluginRequestBody {
  userId: string;
  memoryId: string;
  prompt: string;
  context: Record<string, string>;
}

export function pluginRequestBody(
  scenario: Pick<
    Scenario,
    'namespace' | 'rolloutName' | 'stableSelector' | 'canarySelector' | 'extraPrompt' | 'repoUrl'
  > & { baseBranch?: string },
): PluginRequestBody {
  const stableSelector = scenario.stableSelector ?? 'role=stable';
  const canarySelector = scenario.canarySelector ?? 'role=canary';
  let prompt =
    `Analyze canary deployment for rollout '${scenario.rolloutName}'. Namespace: ${scenario.namespace}. ` +
    `Use your tools to fetch and compare logs from stable pods (selector: ${stableSelector}) vs canary pods (selector: ${canarySelector}). ` +
    'Determine if canary should be promoted.';
  if (scenario.extraPrompt) prompt += `\n\nAdditional context: ${scenario.extraPrompt}`;
  const context: Record<string, string> = {
    namespace: scenario.namespace,
    rolloutName: scenario.rolloutName,
    stableSelector,
    canarySelector,
  };
  if (scenario.extraPrompt) context.extraPrompt = scenario.extraPrompt;
  if (scenario.repoUrl) context.repoUrl = scenario.repoUrl;
  if (scenario.baseBranch) context.baseBranch = scenario.baseBranch;
  return {
    userId: 'argo-rollouts',
    memoryId: `rollout:${scenario.namespace}/${scenario.rolloutName}`,
    prompt,
    context,
  };
}
