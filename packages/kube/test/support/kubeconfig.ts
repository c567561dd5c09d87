import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Writes a one-cluster, one-user kubeconfig (token `token-of-<name>`) into dir and returns its path. */
export async function writeKubeconfig(dir: string, name: string, server: string, cluster: string[]): Promise<string> {
  const file = join(dir, `${name}.yaml`);
  const config = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: test',
    '  cluster:',
    `    server: ${server}`,
    ...cluster.map((line) => `    ${line}`),
    'users:',
    '- name: me',
    '  user:',
    `    token: token-of-${name}`,
    'contexts:',
    '- name: test',
    '  context: {cluster: test, user: me}',
    'current-context: test',
    '',
  ].join('\n');
  await writeFile(file, config, { mode: 0o600 });
  return file;
}
