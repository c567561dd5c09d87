export * from './fake-prometheus.js';
export * from './canary-series.js';
export * from './corpus-series.js';
