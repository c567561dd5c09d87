/**
 * What the PR author may read and what it may write: one rule for both. Stack frames come from the canary's logs, so
 * the canary chooses which files are looked at; a file it may not change is a file it may not read either.
 */
import type { CodeHostTreeEntry } from '@aiops/contracts';

/** Never read or edited by the agent: CI and automation, credentials, environment files, lockfiles, VCS internals. */
export const DEFAULT_PATH_DENYLIST: readonly RegExp[] = [
  /(^|\/)\.github\//,
  /(^|\/)\.git\//,
  /(^|\/)(\.gitlab-ci\.ya?ml|Jenkinsfile|\.travis\.ya?ml|azure-pipelines\.ya?ml|bitbucket-pipelines\.ya?ml|cloudbuild\.ya?ml)$/i,
  /(^|\/)(\.circleci|\.buildkite|\.drone)\//,
  /\.(pem|key|p12|pfx|jks|keystore|crt|cer|der|asc|gpg)$/i,
  /(^|\/)\.env(\.[^/]*)?$/,
  /(^|\/)(\.npmrc|\.pypirc|\.netrc|\.dockercfg|id_rsa|id_ed25519)$/,
  /(^|\/)(secrets?|credentials?)(\.[^/]*)?$/i,
  /(^|\/)(secrets?|credentials?)\//i,
  /(^|\/)[^/]*\.(sealed-)?secrets?\.ya?ml$/i,
  /(^|\/)(package-lock\.json|npm-shrinkwrap\.json|pnpm-lock\.yaml|yarn\.lock|go\.sum|Cargo\.lock|poetry\.lock|Pipfile\.lock|Gemfile\.lock|composer\.lock|uv\.lock)$/,
];

export function isDenied(path: string, denylist: readonly RegExp[]): boolean {
  return denylist.some((re) => re.test(path));
}

/** A relative path inside the repository: no root, no `..`, no empty or `.` segments, no control characters. */
export function isRepositoryPath(path: string): boolean {
  if (path === '' || path.startsWith('/') || path.includes('\\') || [...path].some((c) => c.charCodeAt(0) < 0x20))
    return false;
  return path.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

const SYMLINK_MODE = '120000';

/**
 * Why a tree entry may not be read, or undefined when it may. Symbolic links are refused because the host resolves
 * them: a link named like a source file can point at a denylisted one.
 */
export function readRefusal(entry: CodeHostTreeEntry, denylist: readonly RegExp[]): string | undefined {
  if (entry.type !== 'blob') return 'not a file';
  if (!isRepositoryPath(entry.path)) return 'not a repository path';
  if (entry.mode === SYMLINK_MODE) return 'a symbolic link';
  if (isDenied(entry.path, denylist)) return 'on the path denylist';
  return undefined;
}
