export { buildScenarios, scenarios, scenarioById, plantedSecrets, INJECTION_TEXT } from './corpus.js';
export { createRng, seedFrom, type Rng } from './random.js';
