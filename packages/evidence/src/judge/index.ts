export * from './mann-whitney.js';
export * from './classify.js';
export * from './score.js';
export * from './proportions.js';
