export * from './types.js';
export { startFakeOpenAi } from './server.js';
