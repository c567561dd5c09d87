/**
 * Which repository a request's URL names, and whether it is on the GitHub this service writes to. The host is
 * checked, not ignored: `https://evil.example/acme/app` must not write to `acme/app` on the configured GitHub.
 */
import type { RepoCoordinates } from '@aiops/contracts';

export type RepositoryTarget = { ok: true; repo: RepoCoordinates } | { ok: false; reason: string };

const NAME = /^[A-Za-z0-9_.-]+$/;

export function repositoryTarget(url: string, githubHost: string): RepositoryTarget {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return { ok: false, reason: `"${url}" is not a repository URL like https://${githubHost}/org/repo` };
  }
  const segments = parsed.pathname.replace(/\/+$/, '').split('/').filter(Boolean);
  const owner = segments[0];
  const repo = segments[1]?.replace(/\.git$/, '');
  if (
    (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') ||
    segments.length !== 2 ||
    !owner ||
    !repo ||
    !NAME.test(owner) ||
    !NAME.test(repo) ||
    parsed.search ||
    parsed.hash
  ) {
    return { ok: false, reason: `"${url}" is not a repository URL like https://${githubHost}/org/repo` };
  }
  // Credentials in the URL could make a reader believe in a host the URL does not name.
  if (parsed.username || parsed.password)
    return { ok: false, reason: 'the repository URL carries credentials: nothing was written' };
  const host = parsed.hostname.toLowerCase();
  if (host !== githubHost.toLowerCase()) {
    return {
      ok: false,
      reason: `the repository URL names the host ${host}, not the configured GitHub host ${githubHost}: nothing was written`,
    };
  }
  return { ok: true, repo: { owner, repo } };
}
