export * from './fake-github.js';
export * from './seed-repos.js';
export * from './seed-sources.js';
export * from './fix-responder.js';
export * from './remediation-fixtures.js';
export * from './hostile.js';
