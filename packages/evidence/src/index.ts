export * from './logs/index.js';
export * from './redaction/index.js';
export * from './render/index.js';
export * from './judge/index.js';
export * from './policy/index.js';
export * from './findings/index.js';
export * from './history/index.js';
export * from './fingerprint.js';
