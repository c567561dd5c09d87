import type { ModelDiagnosis } from '@aiops/contracts';

/** A model's answer as the policy receives it. */
export function modelAnswer(
  promote: boolean,
  evidenceIds: string[] = [],
  confidence = 90,
  text: Partial<Pick<ModelDiagnosis['diagnosis'], 'rootCause' | 'remediation'>> = {},
): { result: ModelDiagnosis } {
  return {
    result: {
      modelName: 'fake-model',
      executionTimeMs: 5,
      attempts: 1,
      diagnosis: {
        promote,
        confidence,
        analysis: 'model analysis',
        rootCause: text.rootCause ?? (promote ? 'none' : 'model root cause'),
        remediation: text.remediation ?? (promote ? 'none required' : 'model fix'),
        evidenceIds,
      },
    },
  };
}
