export { buildApp, type AppOptions } from './app.js';
export { createAnalysisRunner } from './analysis-runner.js';
export { ConfigError, ENV_VARS, loadConfig, renderEnvTable, type Config, type EnvVar } from './config.js';
export { VERSION, createLogger, createService, createWorkflow, type Service, type Workflow } from './service.js';
export { createTelemetry, type Telemetry } from './telemetry.js';
export { createAdmission, slotsForMemory, type Admission } from './admission.js';
export { defaultEvidenceThreads } from './evidence-pool.js';
export { createEvidenceGate, nextGatherLimit, watchEventLoop, type EvidenceGate } from './evidence-gate.js';
