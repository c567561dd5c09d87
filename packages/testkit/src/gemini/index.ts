export * from './types.js';
export { startFakeGemini } from './server.js';
export {
  responders,
  heuristicDiagnosis,
  parseEvidenceLines,
  obeyInjectedInstructions,
  redTeamModel,
  type EvidenceLine,
  type RedTeamTurn,
} from './responders.js';
