export * from './embedded.js';
export * from './replay.js';
