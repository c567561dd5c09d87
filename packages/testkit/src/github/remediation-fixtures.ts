/**
 * Inputs for PR-author tests: a rejected canary whose logs point at a planted bug, and the StructuredModel port
 * answered by a fix responder.
 */
import {
  DependencyError,
  EvidenceIds,
  type AnalysisRequest,
  type Evidence,
  type StructuredModel,
  type Verdict,
} from '@aiops/contracts';
import type { FixResponder } from './fix-responder.js';
import type { PlantedBug } from './seed-repos.js';

export const PLANTED_SECRET = 'sk-live-0123456789abcdef';

/** Stand-in for the service's redactor: enough to prove every log-derived text passes through it. */
export const redactPlantedSecret = (text: string): string => text.replace(/sk-live-[0-9a-f]+/g, '[REDACTED]');

export function plantedBugRequest(bug: PlantedBug, extra: Partial<AnalysisRequest> = {}): AnalysisRequest {
  return {
    namespace: 'shop',
    rolloutName: bug.repo,
    stableSelector: 'role=stable',
    canarySelector: 'role=canary',
    repoUrl: `https://github.com/${bug.owner}/${bug.repo}`,
    ...extra,
  };
}

export function plantedBugEvidence(bug: PlantedBug, request: AnalysisRequest, revision = '7'): Evidence {
  const template = `panic: runtime error at ${bug.frame.replace(/\d+/g, '<n>')}`;
  return {
    request,
    collectedAt: '2026-01-01T00:00:00Z',
    pods: {
      canary: [
        {
          name: `${bug.repo}-canary-1`,
          namespace: 'shop',
          labels: { role: 'canary' },
          phase: 'Running',
          ready: false,
          podTemplateHash: 'abc123',
          containers: [
            {
              name: 'app',
              image: `ghcr.io/acme/${bug.repo}:2.0.0`,
              ready: false,
              restartCount: 3,
              current: { state: 'running' },
            },
          ],
          initContainers: [],
        },
      ],
      stable: [],
    },
    rollout: { name: bug.repo, namespace: 'shop', revision, images: [`ghcr.io/acme/${bug.repo}:2.0.0`] },
    logs: {
      canaryLines: 100,
      stableLines: 100,
      omitted: 0,
      signatures: [
        {
          id: 'panic-1',
          template,
          severity: 'critical',
          errorLike: true,
          kind: 'panic',
          canary: { count: 12, perThousand: 120 },
          stable: { count: 0, perThousand: 0 },
          canaryOnly: true,
          examples: [`request failed token=${PLANTED_SECRET}`, `goroutine 1 [running]:`, `    ${bug.frame}`],
        },
      ],
    },
    events: [],
    metrics: { source: 'kubernetes', comparisons: [], notes: [] },
    findings: [
      {
        id: EvidenceIds.logSignature('panic-1'),
        kind: 'panic',
        side: 'canary',
        severity: 'critical',
        hard: true,
        title: `panic in ${bug.repo}`,
      },
    ],
    notes: [],
  };
}

export function rejectedVerdict(overrides: Partial<Verdict> = {}): Verdict {
  return {
    outcome: 'reject',
    promote: false,
    confidence: 95,
    analysis: 'The canary panics on a fraction of requests; stable does not.',
    rootCause: 'A nil value is dereferenced for requests without a discount.',
    remediation: 'Guard the missing value.',
    decidedBy: 'evidence-over-model',
    evidenceIds: ['finding:panic'],
    ...overrides,
  };
}

export interface RecordingStructuredModel extends StructuredModel {
  prompts: string[];
}

/** The StructuredModel port answered by a testkit responder (the same responders the fake Gemini server serves). */
export function responderModel(responder: FixResponder, gate?: Promise<void>): RecordingStructuredModel {
  const prompts: string[] = [];
  return {
    name: 'responder',
    prompts,
    async generate(request) {
      prompts.push(request.prompt);
      if (gate) await gate;
      const answer = responder({
        model: 'responder',
        system: request.system,
        prompt: request.prompt,
        attempt: prompts.length,
      });
      if (!answer) throw new DependencyError('llm', 'the responder did not answer');
      return { value: request.schema.parse(answer.json), attempts: 1 };
    },
  };
}
