export { buildScenarios, scenarios, scenarioById, plantedSecrets, INJECTION_TEXT } from './corpus.js';
export { createRng, seedFrom, type Rng } from './random.js';
export { HEALTHY_INJECTION_TEXT } from './noise.js';
export { GO_CONCURRENT_MAP_WRITES, SPRING_MISSING_PLACEHOLDER } from './failures.js';
export { buildInconclusiveScenarios, inconclusiveScenarios } from './absent.js';
export { asFlaggerScenario } from './flagger.js';
