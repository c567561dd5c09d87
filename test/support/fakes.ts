/** Fakes for one black-box suite: a Kubernetes API server loaded with the corpus and a kubeconfig file for it. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scenarios as corpus, startFakeKubeApi, type FakeKubeApi, type Scenario } from '@aiops/testkit';

export interface KubeFixture {
  kube: FakeKubeApi;
  kubeconfig: string;
  close(): Promise<void>;
}

export async function startKubeFixture(scenarios: Scenario[] = corpus): Promise<KubeFixture> {
  const kube = await startFakeKubeApi({ scenarios });
  const dir = await mkdtemp(join(tmpdir(), 'aiops-e2e-'));
  const kubeconfig = await kube.writeKubeconfig(dir);
  return {
    kube,
    kubeconfig,
    async close() {
      await kube.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
