export * from './errors.js';
export * from './label-selector.js';
export * from './metric-ai.js';
export * from './evidence.js';
export * from './diagnosis.js';
export * from './ports.js';
export * from './code-host.js';
export * from './auth.js';
