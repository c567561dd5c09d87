export * from './cluster-reader.js';
export * from './token-review.js';
export * from './event-recorder.js';
export * from './workload-reader.js';
