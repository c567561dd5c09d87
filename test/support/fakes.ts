/** Fakes for one black-box suite: a Kubernetes API server and a Prometheus loaded with the corpus, and a kubeconfig file. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  scenarios as corpus,
  startFakeKubeApi,
  startFakePrometheus,
  type FakeKubeApi,
  type FakePrometheus,
  type Scenario,
} from '@aiops/testkit';

export interface KubeFixture {
  kube: FakeKubeApi;
  prometheus: FakePrometheus;
  kubeconfig: string;
  /** The environment that points the service at these fakes. */
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startKubeFixture(scenarios: Scenario[] = corpus): Promise<KubeFixture> {
  const kube = await startFakeKubeApi({ scenarios });
  const prometheus = await startFakePrometheus({ scenarios });
  const dir = await mkdtemp(join(tmpdir(), 'aiops-e2e-'));
  const kubeconfig = await kube.writeKubeconfig(dir);
  return {
    kube,
    prometheus,
    kubeconfig,
    env: { KUBECONFIG: kubeconfig, PROMETHEUS_URL: prometheus.url, PROMETHEUS_PRESET: 'istio' },
    async close() {
      await kube.close();
      await prometheus.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
