export * from './scenario.js';
export * from './gemini/index.js';
export * from './kube/index.js';
export * from './github/index.js';
export * from './plugin-request.js';
export * from './redteam/index.js';
export * from './prometheus/index.js';
export * from './scenarios/index.js';
