export { createGeminiModel, DEFAULT_GEMINI_BASE_URL, type GeminiModelOptions } from './gemini.js';
export {
  createOpenAiModel,
  DEFAULT_OPENAI_BASE_URL,
  STRUCTURED_OUTPUT_MODES,
  type OpenAiModelOptions,
  type StructuredOutputMode,
} from './openai.js';
export {
  checkStructuredOutput,
  generateWithRepair,
  type RawAnswer,
  type StructuredCheck,
} from './structured-output.js';
export {
  createProviderLimiter,
  estimateCallTokens,
  unlimited,
  type ProviderLimiter,
  type RateLimitSettings,
} from './rate-limit.js';
