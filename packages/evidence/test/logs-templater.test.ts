import { describe, expect, it } from 'vitest';
import { createTemplater, tokenize } from '@aiops/evidence';

/** Adds every message and returns the final id of each, as a caller reading the groups at the end sees them. */
function group(messages: readonly string[]): { ids: string[]; templateOf: (id: string) => string | undefined } {
  const t = createTemplater();
  const added = messages.map((m) => t.add(m));
  return { ids: added.map((id) => t.currentId(id)), templateOf: (id) => t.templateOf(id) };
}

describe('tokenize: generic variable masks', () => {
  it('masks host:port, domain names and quantities with their unit as one variable', () => {
    expect(tokenize('proxy.example.com:5070 open through proxy wpad:80 HTTPS')).toEqual([
      '<*>',
      'open',
      'through',
      'proxy',
      '<*>',
      'HTTPS',
    ]);
    expect(tokenize('Could not resolve proxy.cse.cuhk.edu.hk error')).toEqual([
      'Could',
      'not',
      'resolve',
      '<*>',
      'error',
    ]);
    expect(tokenize('close, 1190 bytes (1.16 KB) sent, lifetime <1 sec')).toEqual([
      'close,',
      '<*>',
      'sent,',
      'lifetime',
      '<*>',
    ]);
  });

  it('keeps names with a short digit suffix and Java packages as constants', () => {
    expect(tokenize('open through proxy SOCKS5 on eth0 via ssh2')).toEqual([
      'open',
      'through',
      'proxy',
      'SOCKS5',
      'on',
      'eth0',
      'via',
      'ssh2',
    ]);
    expect(tokenize('org.apache.hadoop.mapreduce.v2.app.MRAppMaster started')).toEqual([
      'org.apache.hadoop.mapreduce.v2.app.MRAppMaster',
      'started',
    ]);
  });

  it('splits comma-joined fields of one word, so each value is masked on its own', () => {
    expect(tokenize('ready=true,policy=3,tty=:0,mode=false')).toEqual([
      'ready=true,',
      'policy=<*>,',
      'tty=:<*>,',
      'mode=false',
    ]);
    expect(tokenize('Total disk: 15 GB, used: 0.00 GB')).toEqual(['Total', 'disk:', '<*>', 'used:', '<*>']);
  });

  it('keeps the method of a quoted HTTP request and masks its target', () => {
    expect(tokenize('10.0.0.1 "GET /v2/servers/detail HTTP/1.1" status: 200')).toEqual([
      '<*>',
      '"GET',
      '<*>',
      'status:',
      '<*>',
    ]);
  });
});

describe('createTemplater: clustering', () => {
  it('keeps short statements that differ in one word apart', () => {
    const { ids } = group([
      'Ending TrustedInstaller initialization.',
      'Ending TrustedInstaller finalization.',
      '[instance: 1f2e] VM Paused (Lifecycle Event)',
      '[instance: 3a4b] VM Resumed (Lifecycle Event)',
      '[instance: 5c6d] VM Paused (Lifecycle Event)',
    ]);
    expect(new Set(ids).size).toBe(4);
    expect(ids[2]).toBe(ids[4]);
  });

  it('turns a word into a variable once it takes many values with everything else equal', () => {
    const users = ['webmaster', 'chen', 'pgadmin', 'inspur', 'oracle', 'admin', 'guest'];
    const { ids, templateOf } = group(users.map((u, i) => `Invalid user ${u} from 10.0.0.${i}`));
    expect(new Set(ids).size).toBe(1);
    expect(templateOf(ids[0] ?? '')).toBe('Invalid user <*> from <*>');
  });

  it('does not generalise a statement whose only constant is the differing word', () => {
    const { ids } = group(['alpha 1', 'beta 2', 'gamma 3', 'delta 4', 'epsilon 5', 'zeta 6']);
    expect(new Set(ids).size).toBe(6);
  });

  it('groups host names that lead the message without routing on them', () => {
    const hosts = ['www.baidu.com', 'api.github.com', 'fonts.gstatic.com', 'd.dropbox.com', 'mtalk.google.com'];
    const { ids } = group([
      ...hosts.map((h) => `${h}:443 open through proxy proxy.example.com:5070 HTTPS`),
      '183.62.156.108:22 open through proxy socks.example.com:5070 SOCKS5',
    ]);
    expect(new Set(ids.slice(0, hosts.length)).size).toBe(1);
    expect(ids[hosts.length]).not.toBe(ids[0]);
  });

  it('turns the words where a similar message differs into variables', () => {
    const { ids, templateOf } = group([
      'session for alice opened by web console',
      'session for bob opened by web console',
      'session for carol opened by web console',
    ]);
    expect(new Set(ids).size).toBe(1);
    expect(templateOf(ids[0] ?? '')).toBe('session for <*> opened by web console');
  });

  it('resolves ids of merged clusters and leaves unknown ids alone', () => {
    const t = createTemplater();
    const first = t.add('Failed password for root from 10.0.0.1 port 22 ssh2');
    for (const u of ['git', 'ftp', 'mysql', 'uucp', 'sshd'])
      t.add(`Failed password for ${u} from 10.0.0.2 port 23 ssh2`);
    const last = t.add('Failed password for nobody from 10.0.0.3 port 24 ssh2');
    expect(t.currentId(first)).toBe(t.currentId(last));
    expect(t.templates()).toHaveLength(1);
    expect(t.templates()[0]).toMatchObject({ template: 'Failed password for <*> from <*> port <*> ssh2', count: 7 });
    expect(t.currentId('no-such-id')).toBe('no-such-id');
  });

  it('counts every message when consecutive messages have the same tokens', () => {
    const t = createTemplater();
    const ids = [
      'request served in 12 ms',
      'request served in 13 ms',
      'cache miss for key 7',
      'request served in 14 ms',
      'request served in 14 ms',
      // A new cluster, then a message with the same tokens that must find it by its template.
      'request served late 15 ms',
      'request served late 16 ms',
      'request served in 17 ms',
    ].map((m) => t.add(m));
    expect(ids).toEqual(['t1', 't1', 't2', 't1', 't1', 't3', 't3', 't1']);
    expect(t.templates()).toEqual([
      { id: 't1', template: 'request served in <*> ms', count: 5 },
      { id: 't3', template: 'request served late <*> ms', count: 2 },
      { id: 't2', template: 'cache miss for key <*>', count: 1 },
    ]);
  });
});
