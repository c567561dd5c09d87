export { createGitHubCodeHost, parseRepositoryUrl, type GitHubCodeHostOptions, type GitHubLog } from './code-host.js';
export { toGitHubError } from './errors.js';
