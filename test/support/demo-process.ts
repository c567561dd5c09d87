/**
 * Runs `pnpm demo --serve` as its built entry (apps/demo/dist/main.js): the embedded default replays every corpus
 * scenario, prints its table, then keeps serving. Resolves with the URL once it says so (no sleeps).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const DEMO = fileURLToPath(new URL('../../apps/demo/dist/main.js', import.meta.url));

export interface DemoProcess {
  url: string;
  output: string[];
  stop(): Promise<number | null>;
}

export async function startDemoServe(env: Record<string, string> = {}): Promise<DemoProcess> {
  if (!existsSync(DEMO))
    throw new Error('apps/demo/dist/main.js is missing: run `pnpm build` first (the test command does)');
  const child = spawn(process.execPath, [DEMO, '--serve'], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  createInterface({ input: child.stderr }).on('line', (line) => output.push(line));
  const url = await new Promise<string>((resolve, reject) => {
    const onExit = (code: number | null) =>
      reject(new Error(`demo exited with ${code} before serving:\n${output.join('\n')}`));
    child.once('exit', onExit);
    createInterface({ input: child.stdout }).on('line', (line) => {
      output.push(line);
      const m = /^Serving at (http:\/\/\S+)/.exec(line);
      if (m?.[1]) {
        child.off('exit', onExit);
        resolve(m[1]);
      }
    });
  });
  return {
    url,
    output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
