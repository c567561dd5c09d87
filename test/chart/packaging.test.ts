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

  it('registers the metric-ai plugin with a download location', () => {
    const [configMap] = documents('examples/argo-rollouts/argo-rollouts-config.yaml') as Array<{
      data: { metricProviderPlugins: string };
    }>;
    expect(parse(configMap!.data.metricProviderPlugins)).toEqual([
      { name: 'argoproj-labs/metric-ai', location: expect.stringMatching(/^(https:|file:)/) as unknown },
    ]);
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
