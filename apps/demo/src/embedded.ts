/**
 * The embedded default: the real service, with its real Kubernetes client, pointed at a simulated cluster (the
 * fake Kubernetes API server and a fake Prometheus, loaded with the scenario corpus). No cluster and no API key needed; with
 * GOOGLE_API_KEY set, the real Gemini model joins.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createService, loadConfig, type Service } from '@aiops/agent';
import {
  scenarios as corpus,
  startFakeKubeApi,
  startFakePrometheus,
  type FakeKubeApi,
  type FakePrometheus,
  type Scenario,
} from '@aiops/testkit';

export interface EmbeddedDemo {
  service: Service;
  url: string;
  kube: FakeKubeApi;
  prometheus: FakePrometheus;
  scenarios: Scenario[];
  close(): Promise<void>;
}

export async function startEmbedded(
  options: {
    port?: number;
    env?: Record<string, string | undefined>;
    scenarios?: Scenario[];
    withPrometheus?: boolean;
    /** A Prometheus to query instead of the fake one (which still runs, unused): the real one of the eval. */
    prometheusUrl?: string;
  } = {},
): Promise<EmbeddedDemo> {
  const scenarios = options.scenarios ?? corpus;
  const kube = await startFakeKubeApi({ scenarios });
  const prometheus = await startFakePrometheus({ scenarios });
  const dir = await mkdtemp(join(tmpdir(), 'aiops-demo-'));
  try {
    const kubeconfig = await kube.writeKubeconfig(dir);
    const env = options.env ?? process.env;
    const config = loadConfig({
      LOG_LEVEL: 'warn',
      ...env,
      KUBECONFIG: kubeconfig,
      PORT: String(options.port ?? 0),
      HOST: '127.0.0.1',
      // The simulated cluster has an Istio-style Prometheus too; PROMETHEUS_URL in the environment is ignored here.
      PROMETHEUS_URL: options.withPrometheus === false ? undefined : (options.prometheusUrl ?? prometheus.url),
      PROMETHEUS_PRESET: env.PROMETHEUS_PRESET ?? 'istio',
      // The demo shows the analysis, not GitHub: PR authoring stays off unless explicitly configured.
      GITHUB_TOKEN: env.GITHUB_TOKEN,
    });
    const service = await createService(config);
    const url = await service.start();
    return {
      service,
      url,
      kube,
      prometheus,
      scenarios,
      async close() {
        await service.stop();
        await kube.close();
        await prometheus.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await kube.close();
    await prometheus.close();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
