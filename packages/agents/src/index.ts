export * from './answer.js';
export * from './diagnosis.js';
export * from './log-fetcher.js';
export * from './metrics-analyst.js';
export * from './run-context.js';
export * from './workflow.js';
export * from './pr-author/index.js';
