export * from './assess.js';
export * from './decide.js';
export * from './explain.js';
export * from './confidence.js';
