export * from './fake-prometheus.js';
export * from './canary-series.js';
