export {
  createPrAuthor,
  isAllowed,
  type PrAuthor,
  type PrAuthorConfig,
  type PrAuthorLogger,
  type PrAuthorMode,
  type PrAuthorOptions,
} from './pr-author.js';
export { isRepositoryPath, readRefusal } from './access.js';
export { scanForRedFlags, type RedFlag, type RedFlagKind } from './red-flags.js';
export { repositoryTarget } from './repository.js';
export { DEFAULT_PATH_DENYLIST, FixProposalSchema, bracketResidue, checkFix, type FixProposal } from './edits.js';
export { candidateFiles, extractFrames, type StackFrame } from './frames.js';
export { remediationKey, fixBranch, type RemediationKey } from './key.js';
export { FIX_SYSTEM_PROMPT } from './fix-prompt.js';
