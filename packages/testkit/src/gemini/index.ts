export * from './types.js';
export { startFakeGemini } from './server.js';
export { responders, heuristicDiagnosis, parseEvidenceLines, containsInjection, type EvidenceLine } from './responders.js';
