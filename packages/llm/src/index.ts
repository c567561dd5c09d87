export { createGeminiModel, DEFAULT_GEMINI_BASE_URL, type GeminiModelOptions } from './gemini.js';
export { checkStructuredOutput, type StructuredCheck } from './structured-output.js';
