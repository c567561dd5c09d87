export * from './scenario.js';
export * from './gemini/index.js';
