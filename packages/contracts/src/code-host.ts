/**
 * The code host port (GitHub today): just what the PR author needs to open one issue and one draft PR per
 * failure without a local clone. Plain types, no SDK types. Errors are DependencyError('github', ...).
 */
import type { CallOptions } from './ports.js';

export interface RepoCoordinates {
  owner: string;
  repo: string;
}

export interface CodeHostRepository {
  fullName: string;
  defaultBranch: string;
}

export interface CodeHostIssue {
  number: number;
  /** The human-facing page (html_url). */
  url: string;
  title: string;
  body: string;
  state: 'open' | 'closed';
  labels: string[];
}

export interface CodeHostPullRequest {
  number: number;
  url: string;
  headBranch: string;
  baseBranch: string;
  draft: boolean;
  state: 'open' | 'closed';
}

export interface BranchHead {
  commitSha: string;
  treeSha: string;
}

export interface CodeHostTreeEntry {
  path: string;
  type: 'blob' | 'tree' | 'commit';
  sha: string;
  mode: string;
  size?: number;
}

export interface CodeHostTree {
  entries: CodeHostTreeEntry[];
  /** The host cut the listing short (very large repositories). */
  truncated: boolean;
}

export interface CodeHostFile {
  path: string;
  /** Decoded UTF-8 text. */
  content: string;
  sha: string;
}

export interface IssueQuery {
  /** Text that must appear verbatim in the issue body (the hidden idempotency marker). */
  marker: string;
  /** Narrows the listing to issues that carry this label (list API, consistent, unlike search). */
  label?: string;
}

export interface NewTreeEntry {
  path: string;
  blobSha: string;
  /** Defaults to a regular file (100644). */
  mode?: '100644' | '100755';
}

export interface CodeHost {
  getRepository(repo: RepoCoordinates, options: CallOptions): Promise<CodeHostRepository>;
  /** Undefined when the branch does not exist. */
  getBranchHead(repo: RepoCoordinates, branch: string, options: CallOptions): Promise<BranchHead | undefined>;
  /** Recursive listing of a tree. */
  getTree(repo: RepoCoordinates, treeSha: string, options: CallOptions): Promise<CodeHostTree>;
  /** Undefined when the file does not exist at that ref. */
  getFile(repo: RepoCoordinates, path: string, ref: string, options: CallOptions): Promise<CodeHostFile | undefined>;
  /** Issues (open or closed) whose body contains the marker; most recent first. */
  findIssues(repo: RepoCoordinates, query: IssueQuery, options: CallOptions): Promise<CodeHostIssue[]>;
  createIssue(
    repo: RepoCoordinates,
    issue: { title: string; body: string; labels: string[] },
    options: CallOptions,
  ): Promise<CodeHostIssue>;
  updateIssue(
    repo: RepoCoordinates,
    issueNumber: number,
    patch: { title?: string; body?: string; labels?: string[]; state?: 'open' | 'closed' },
    options: CallOptions,
  ): Promise<CodeHostIssue>;
  addIssueComment(
    repo: RepoCoordinates,
    issueNumber: number,
    body: string,
    options: CallOptions,
  ): Promise<{ url: string }>;
  createBlob(repo: RepoCoordinates, content: string, options: CallOptions): Promise<{ sha: string }>;
  createTree(
    repo: RepoCoordinates,
    baseTreeSha: string,
    entries: NewTreeEntry[],
    options: CallOptions,
  ): Promise<{ sha: string }>;
  createCommit(
    repo: RepoCoordinates,
    commit: { message: string; treeSha: string; parents: string[] },
    options: CallOptions,
  ): Promise<{ sha: string }>;
  /** Creates refs/heads/<branch>. Fails (422) when the branch exists. */
  createBranch(repo: RepoCoordinates, branch: string, commitSha: string, options: CallOptions): Promise<void>;
  openDraftPullRequest(
    repo: RepoCoordinates,
    pull: { title: string; body: string; head: string; base: string },
    options: CallOptions,
  ): Promise<CodeHostPullRequest>;
  /** The open pull request whose head is this branch of the same repository, if any. */
  findOpenPullRequest(
    repo: RepoCoordinates,
    headBranch: string,
    options: CallOptions,
  ): Promise<CodeHostPullRequest | undefined>;
}

/** What a dry run would have written. */
export interface RemediationPreview {
  repository: string;
  idempotencyKey: string;
  issueTitle: string;
  issueBody: string;
  /** Unified diff of the proposed fix, when one passed the checks. */
  patch?: string;
  /** Present when the fix would be pushed as a draft PR (no red flag, mode draft-pr). */
  branch?: string;
  /** Red flags of the patch (`kind: path:line`): such a patch is only ever a suggested diff. */
  redFlags?: string[];
}
