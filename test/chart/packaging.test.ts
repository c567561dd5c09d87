import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { defaultValues, leafPaths, readChartFile, repoRoot } from './chart-files.js';

const readRepoFile = (path: string): string => readFileSync(join(repoRoot, path), 'utf8');

describe('chart README', () => {
  it('documents every value in its table', () => {
    const readme = readChartFile('README.md');
    expect(leafPaths(defaultValues()).filter((leaf) => !readme.includes(`| \`${leaf}\` |`))).toEqual([]);
  });
});

describe('Dockerfile', () => {
  const dockerfile = readRepoFile('Dockerfile');

  it('builds on an LTS Node 24 image in stages and ships only the deployed agent', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:24-(slim|alpine)$/m);
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
    expect(dockerfile).toContain('pnpm install --frozen-lockfile');
    expect(dockerfile).toContain('pnpm build');
    expect(dockerfile).toMatch(/pnpm --filter @aiops\/agent --prod deploy/);
    expect(dockerfile).toMatch(/COPY --from=build .*\/out \/app/);
  });

  it('runs node as a non-root user, with a node-based HEALTHCHECK on /healthz, on port 8080', () => {
    expect(dockerfile).toMatch(/^USER 10001/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK [\s\S]*CMD \["node", "-e", ".*\/healthz/m);
    expect(dockerfile).toMatch(/^EXPOSE 8080$/m);
    expect(dockerfile).toMatch(/^CMD \["node", "dist\/main\.js"\]$/m);
  });
});

describe('CI workflow', () => {
  const workflow = readRepoFile('.github/workflows/ci.yml');

  it('is valid YAML and runs install, build, lint, test, helm lint, kubeconform, ct install on kind and docker build', () => {
    expect(parse(workflow)).toMatchObject({ jobs: { node: {}, 'chart-static': {}, docker: {}, 'chart-install': {} } });
    for (const step of [
      'pnpm install --frozen-lockfile',
      'pnpm build',
      'pnpm lint',
      'pnpm test',
      'helm lint --strict',
      'kubeconform',
      'ct install',
      'kind-action',
      'argo-rollouts',
      'servicemonitors',
      'docker/build-push-action',
    ]) {
      expect(workflow).toContain(step);
    }
  });
});

describe('Argo Rollouts examples', () => {
  const documents = (path: string) => parseAllDocuments(readRepoFile(path)).map((d) => d.toJS() as unknown);

  /** The plugin's real release asset (releases v0.0.1 and v1.9.0, linux/amd64 only). */
  const PLUGIN_URL =
    /^https:\/\/github\.com\/argoproj-labs\/rollouts-plugin-metric-ai\/releases\/download\/v(0\.0\.1|1\.9\.0)\/rollouts-plugin-metric-ai-linux-amd64$/;

  it('registers the metric-ai plugin with the download location of its real release asset', () => {
    const [configMap] = documents('examples/argo-rollouts/argo-rollouts-config.yaml') as Array<{
      data: { metricProviderPlugins: string };
    }>;
    expect(parse(configMap!.data.metricProviderPlugins)).toEqual([
      { name: 'argoproj-labs/metric-ai', location: expect.stringMatching(PLUGIN_URL) as unknown },
    ]);
  });

  it('the README wires the plugin with that same asset, and no other download location', () => {
    const locations = [...readRepoFile('README.md').matchAll(/location: "([^"]+)"/g)].map((m) => m[1]);
    expect(locations.length).toBeGreaterThan(0);
    for (const location of locations) expect(location).toMatch(PLUGIN_URL);
  });

  it('the web-provider AnalysisTemplate decides on result.verdict, with the pod-template-hash args and a timeout for a model call', () => {
    const [template] = documents('examples/argo-rollouts/web-analysis-template.yaml');
    expect(template).toMatchObject({
      kind: 'AnalysisTemplate',
      spec: {
        args: expect.arrayContaining([
          { name: 'canary-hash', valueFrom: { podTemplateHashValue: 'Latest' } },
          { name: 'stable-hash', valueFrom: { podTemplateHashValue: 'Stable' } },
        ]) as unknown,
        metrics: [
          {
            successCondition: 'result.verdict == "promote"',
            failureCondition: 'result.verdict == "reject"',
            provider: {
              web: {
                url: expect.stringMatching(/\/web\/analyze$/) as unknown,
                method: 'POST',
                timeoutSeconds: expect.any(Number) as unknown,
                jsonBody: {
                  canaryPodTemplateHash: '{{args.canary-hash}}',
                  stablePodTemplateHash: '{{args.stable-hash}}',
                },
              },
            },
          },
        ],
      },
    });
    const web = (template as { spec: { metrics: Array<{ provider: { web: { timeoutSeconds: number } } }> } }).spec
      .metrics[0]!.provider.web;
    // Longer than the analysis deadline (60 s by default), so a slow model is a 503 (Error), not a client timeout.
    expect(web.timeoutSeconds).toBeGreaterThan(60);
  });

  it('the Flagger Canary wires the rollout and confirm-promotion hooks to /flagger/{hook}', () => {
    const [canary] = documents('examples/flagger/canary.yaml');
    expect(canary).toMatchObject({
      apiVersion: 'flagger.app/v1beta1',
      kind: 'Canary',
      spec: {
        targetRef: { kind: 'Deployment' },
        analysis: {
          webhooks: [
            { type: 'rollout', url: expect.stringMatching(/\/flagger\/rollout$/) as unknown },
            { type: 'confirm-promotion', url: expect.stringMatching(/\/flagger\/confirm-promotion$/) as unknown },
          ],
        },
      },
    });
  });

  it('points the AnalysisTemplate at http://kubernetes-agent:8080 with the plugin options', () => {
    const [template] = documents('examples/argo-rollouts/analysis-template.yaml');
    expect(template).toMatchObject({
      kind: 'AnalysisTemplate',
      spec: {
        metrics: [
          {
            provider: {
              plugin: {
                'argoproj-labs/metric-ai': {
                  agentUrl: 'http://kubernetes-agent:8080',
                  stableLabel: 'role=stable',
                  canaryLabel: 'role=canary',
                  baseBranch: 'main',
                },
              },
            },
          },
        ],
      },
    });
  });

  it('labels canary and stable pods in the Rollout and runs the analysis', () => {
    const [rollout] = documents('examples/argo-rollouts/rollout.yaml');
    expect(rollout).toMatchObject({
      kind: 'Rollout',
      spec: {
        strategy: {
          canary: {
            canaryMetadata: { labels: { role: 'canary' } },
            stableMetadata: { labels: { role: 'stable' } },
            analysis: { templates: [{ templateName: 'aiops-canary-analysis' }] },
          },
        },
      },
    });
  });
});
