export * from './cluster-reader.js';
export * from './token-review.js';
