export * from './containers.js';
export * from './pod-health.js';
export * from './access-log.js';
export * from './log-evidence.js';
