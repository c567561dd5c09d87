export * from './containers.js';
export * from './pod-health.js';
