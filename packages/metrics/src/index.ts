export * from './prometheus-source.js';
export * from './catalog.js';
export * from './analyst.js';
