/**
 * What the PR author's GitHub traffic costs, against the fake GitHub API on loopback: per-call latency through
 * Octokit + plugins, and the wall time of one full remediation (issue, blob, tree, commit, ref, draft PR, issue
 * update, comment) with GitHub's recommended write pacing versus none. Prints figures; asserts nothing.
 */
import { performance } from 'node:perf_hooks';
import type { CodeHost } from '@aiops/contracts';
import { createGitHubCodeHost } from '@aiops/github';
import { startFakeGitHub, type FakeGitHub } from '@aiops/testkit';

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const cart = { owner: 'acme', repo: 'cart' };
const opts = () => ({ signal: new AbortController().signal });

function host(gh: FakeGitHub, paced: boolean): CodeHost {
  return createGitHubCodeHost({
    token: 't',
    apiUrl: gh.url,
    timeoutMs: 30_000,
    log: quiet,
    ...(paced ? {} : { pacing: { writeMinTimeMs: 0, searchMinTimeMs: 0, notificationMinTimeMs: 0 } }),
  });
}

async function remediation(h: CodeHost, n: number): Promise<void> {
  const marker = `<!-- aiops-agent:key=bench${n} -->`;
  await h.findIssues(cart, { marker, label: 'aiops-agent' }, opts());
  const issue = await h.createIssue(cart, { title: 'bench', body: marker, labels: ['aiops-agent'] }, opts());
  const head = await h.getBranchHead(cart, 'main', opts());
  if (!head) throw new Error('no main');
  await h.getTree(cart, head.treeSha, opts());
  const file = await h.getFile(cart, 'internal/cart/handler.go', head.commitSha, opts());
  const blob = await h.createBlob(cart, `${file?.content ?? ''}// ${n}\n`, opts());
  const tree = await h.createTree(
    cart,
    head.treeSha,
    [{ path: 'internal/cart/handler.go', blobSha: blob.sha }],
    opts(),
  );
  const commit = await h.createCommit(cart, { message: 'fix', treeSha: tree.sha, parents: [head.commitSha] }, opts());
  await h.createBranch(cart, `aiops/bench-${n}`, commit.sha, opts());
  const pr = await h.openDraftPullRequest(
    cart,
    { title: 'fix', body: `Refs #${issue.number}`, head: `aiops/bench-${n}`, base: 'main' },
    opts(),
  );
  await h.updateIssue(cart, issue.number, { body: `${marker}\n#${pr.number}` }, opts());
  await h.addIssueComment(cart, issue.number, pr.url, opts());
}

const gh = await startFakeGitHub();
try {
  const fast = host(gh, false);
  await fast.getRepository(cart, opts()); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    await fast.getFile(cart, 'internal/cart/handler.go', 'main', opts());
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  const q = (p: number) => (samples[Math.floor(p * (samples.length - 1))] ?? 0).toFixed(2);
  console.log(`getFile over loopback: p50 ${q(0.5)} ms, p95 ${q(0.95)} ms, p99 ${q(0.99)} ms (n=${samples.length})`);

  let t = performance.now();
  for (let n = 0; n < 10; n++) await remediation(fast, n);
  console.log(
    `full remediation (13 calls, 8 writes), no pacing: ${((performance.now() - t) / 10).toFixed(1)} ms each (n=10)`,
  );

  t = performance.now();
  await remediation(host(gh, true), 100);
  console.log(
    `full remediation with GitHub's recommended pacing (1 s between writes, 3 s between notifying writes): ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );
  console.log(`requests served by the fake: ${gh.requests.length}`);
} finally {
  await gh.close();
}
