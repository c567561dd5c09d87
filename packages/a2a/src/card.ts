/**
 * The agent card: what this agent does and how to reach it, limited to what is actually served (streaming yes,
 * push notifications and the extended card no, bearer auth only when it is enforced).
 */
import { A2A_PROTOCOL_VERSION, type AgentCard, type AgentSkill } from '@a2a-js/sdk';

export const JSONRPC_PATH = '/a2a/jsonrpc';
export const REST_PREFIX = '/a2a/v1';
export const AGENT_CARD_PATH = '/.well-known/agent-card.json';
export const BEARER_SCHEME = 'bearer';

export interface CardOptions {
  name: string;
  description: string;
  version: string;
  /**
   * Externally reachable base URL (no trailing slash needed). When absent, the request's Host header if
   * `allowedHosts` lists it, else the address the connection arrived on: never a Host nobody vouched for.
   */
  publicUrl?: string;
  /** `host` (any port) or `host:port` values the card may take from a request's Host header. */
  allowedHosts?: string[];
  documentationUrl?: string;
  provider?: { organization: string; url: string };
}

const MODES = ['application/json', 'text/plain'];

const SKILLS: AgentSkill[] = [
  {
    id: 'canary-analysis',
    name: 'Canary analysis',
    description:
      'Decides whether the canary of an Argo Rollout should be promoted: compares canary and stable pods (logs, restarts, ' +
      'container states, events, Prometheus metrics), asks a model for a diagnosis, applies a deterministic policy, and ' +
      'opens an issue and a draft PR with a fix when the canary is bad and a repository is given. Input: a data part ' +
      '{namespace, rolloutName, stableSelector, canarySelector, extraPrompt, repoUrl, baseBranch} or a question in text. ' +
      'Output: a "verdict" data artifact (promote, confidence 0-100, analysis, rootCause, remediation, evidence) and a ' +
      '"summary" text artifact.',
    tags: ['argo-rollouts', 'canary', 'kubernetes', 'progressive-delivery', 'aiops'],
    examples: [
      'Is the canary of rollout checkout in namespace shop healthy?',
      'analyze rollout cart in namespace prod with canary selector app=cart,track=canary',
      '{"namespace":"shop","rolloutName":"checkout","stableSelector":"role=stable","canarySelector":"role=canary"}',
    ],
    inputModes: MODES,
    outputModes: MODES,
    securityRequirements: [],
  },
  {
    id: 'workload-diagnosis',
    name: 'Workload diagnosis',
    description:
      'Diagnoses the pods matching a label selector in a namespace (crash loops, OOM kills, image pull errors, error ' +
      'signatures in logs, restarts) and explains the likely cause, using the same evidence pipeline as canary analysis.',
    tags: ['kubernetes', 'diagnosis', 'logs', 'aiops'],
    examples: [
      'diagnose pods with selector app=payments in namespace prod',
      '{"namespace":"prod","canarySelector":"app=payments"}',
    ],
    inputModes: MODES,
    outputModes: MODES,
    securityRequirements: [],
  },
];

export function buildAgentCard(options: CardOptions, baseUrl: string, authEnabled: boolean): AgentCard {
  const base = baseUrl.replace(/\/+$/, '');
  const card: AgentCard = {
    name: options.name,
    description: options.description,
    version: options.version,
    supportedInterfaces: [
      { url: `${base}${JSONRPC_PATH}`, protocolBinding: 'JSONRPC', protocolVersion: A2A_PROTOCOL_VERSION, tenant: '' },
      { url: `${base}${REST_PREFIX}`, protocolBinding: 'HTTP+JSON', protocolVersion: A2A_PROTOCOL_VERSION, tenant: '' },
    ],
    provider: options.provider,
    capabilities: { streaming: true, pushNotifications: false, extendedAgentCard: false, extensions: [] },
    securitySchemes: {},
    securityRequirements: [],
    defaultInputModes: MODES,
    defaultOutputModes: MODES,
    skills: SKILLS,
    signatures: [],
  };
  if (options.documentationUrl !== undefined) card.documentationUrl = options.documentationUrl;
  if (authEnabled) {
    card.securitySchemes[BEARER_SCHEME] = {
      scheme: {
        $case: 'httpAuthSecurityScheme',
        value: {
          scheme: 'Bearer',
          bearerFormat: 'opaque token or Kubernetes service-account JWT',
          description: 'A static token issued by the operator, or a service-account token verified with TokenReview.',
        },
      },
    };
    card.securityRequirements = [{ schemes: { [BEARER_SCHEME]: { list: [] } } }];
  }
  return card;
}
