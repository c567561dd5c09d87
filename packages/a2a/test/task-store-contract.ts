/**
 * The TaskStore contract both stores keep (in memory and in Redis): per-caller scope, a finished task is final,
 * the count bound (finished tasks evicted first), the age bound, and ListTasks filters and pagination.
 */
import { describe, expect, it } from 'vitest';
import { TaskState, type ListTasksRequest, type Task } from '@a2a-js/sdk';
import {
  UnauthenticatedUser,
  defaultServerCallContextBuilder,
  type ServerCallContext,
  type TaskStore,
} from '@a2a-js/sdk/server';
import { AuthenticatedUser } from '@aiops/a2a';

export type MakeStore = (bounds: { maxTasks: number; maxAgeMs: number }) => Promise<TaskStore>;

export function callerContext(user?: string, tenant?: string): ServerCallContext {
  const context = defaultServerCallContextBuilder({
    user: user === undefined ? new UnauthenticatedUser() : new AuthenticatedUser(user),
    extensions: undefined,
    headers: {},
  });
  if (tenant !== undefined) context.setTenant(tenant);
  return context;
}

let sequence = 0;
export function task(state: TaskState, fields: { contextId?: string; timestamp?: string; id?: string } = {}): Task {
  sequence += 1;
  return {
    id: fields.id ?? `task-${sequence}-${crypto.randomUUID()}`,
    contextId: fields.contextId ?? 'ctx-1',
    status: {
      state,
      message: undefined,
      timestamp: fields.timestamp ?? new Date(Date.UTC(2026, 0, 1, 0, 0, sequence)).toISOString(),
    },
    artifacts: [
      {
        artifactId: 'verdict',
        name: 'verdict',
        description: '',
        parts: [{ content: { $case: 'text', value: 'x' }, mediaType: 'text/plain', filename: '', metadata: undefined }],
        metadata: undefined,
        extensions: [],
      },
    ],
    history: [],
    metadata: undefined,
  };
}

const listAll = (over: Partial<ListTasksRequest> = {}): ListTasksRequest => ({
  tenant: '',
  contextId: '',
  status: TaskState.TASK_STATE_UNSPECIFIED,
  pageSize: 100,
  pageToken: '',
  includeArtifacts: false,
  statusTimestampAfter: undefined,
  historyLength: undefined,
  ...over,
});

const WORKING = TaskState.TASK_STATE_WORKING;
const COMPLETED = TaskState.TASK_STATE_COMPLETED;

export function taskStoreContract(name: string, make: MakeStore): void {
  describe(`${name} task store: the TaskStore contract`, () => {
    const big = { maxTasks: 1000, maxAgeMs: 3_600_000 };

    it('saves and loads a copy of a task', async () => {
      const store = await make(big);
      const alice = callerContext('alice');
      const saved = task(WORKING);
      await store.save(saved, alice);
      const loaded = await store.load(saved.id, alice);
      expect(loaded).toEqual(saved);
      loaded!.status!.state = COMPLETED;
      expect((await store.load(saved.id, alice))?.status?.state).toBe(WORKING);
      expect(await store.load('no-such-task', alice)).toBeUndefined();
    });

    it('scopes tasks to their caller and tenant: nobody else loads or lists them', async () => {
      const store = await make(big);
      const alices = task(WORKING);
      await store.save(alices, callerContext('alice'));
      for (const other of [callerContext('bob'), callerContext(), callerContext('alice', 'other-tenant')]) {
        expect(await store.load(alices.id, other)).toBeUndefined();
        expect((await store.list(listAll(), other)).tasks.map((t) => t.id)).not.toContain(alices.id);
      }
      expect((await store.list(listAll(), callerContext('alice'))).tasks.map((t) => t.id)).toEqual([alices.id]);
    });

    it('keeps a finished task final: a later save (a progress update racing a cancel) does not change it', async () => {
      const store = await make(big);
      const alice = callerContext('alice');
      const t = task(WORKING);
      await store.save(t, alice);
      await store.save({ ...t, status: { ...t.status!, state: TaskState.TASK_STATE_CANCELED } }, alice);
      await store.save({ ...t, status: { ...t.status!, state: WORKING } }, alice);
      await store.save({ ...t, status: { ...t.status!, state: COMPLETED } }, alice);
      expect((await store.load(t.id, alice))?.status?.state).toBe(TaskState.TASK_STATE_CANCELED);
    });

    it('evicts the oldest finished tasks first beyond maxTasks, then the oldest running ones', async () => {
      const store = await make({ maxTasks: 3, maxAgeMs: 3_600_000 });
      const alice = callerContext('alice');
      const bob = callerContext('bob');
      const [r1, f1, r2, f2, r3, r4] = [WORKING, COMPLETED, WORKING, COMPLETED, WORKING, WORKING].map((s) => task(s));
      await store.save(r1!, alice);
      await store.save(f1!, bob); // the bound is the store's, across callers
      await store.save(r2!, alice);
      await store.save(f2!, alice);
      expect(await store.load(f1!.id, bob)).toBeUndefined();
      expect(await store.load(r1!.id, alice)).toBeDefined();
      await store.save(r3!, alice);
      expect(await store.load(f2!.id, alice)).toBeUndefined();
      await store.save(r4!, alice);
      expect(await store.load(r1!.id, alice)).toBeUndefined();
      const left = (await store.list(listAll(), alice)).tasks.map((t) => t.id);
      expect(left.sort()).toEqual([r2!.id, r3!.id, r4!.id].sort());
    });

    it('forgets tasks not updated for maxAgeMs', async () => {
      const store = await make({ maxTasks: 1000, maxAgeMs: 300 });
      const alice = callerContext('alice');
      const t = task(COMPLETED);
      await store.save(t, alice);
      expect(await store.load(t.id, alice)).toBeDefined();
      await expect.poll(() => store.load(t.id, alice), { interval: 50 }).toBeUndefined();
      expect((await store.list(listAll(), alice)).tasks).toEqual([]);
    });

    it('lists newest first with the filters, pages and artifacts of ListTasks', async () => {
      const store = await make(big);
      const carol = callerContext('carol');
      const tasks = [
        task(COMPLETED, { contextId: 'a', timestamp: '2026-01-01T00:00:01.000Z' }),
        task(WORKING, { contextId: 'a', timestamp: '2026-01-01T00:00:02.000Z' }),
        task(COMPLETED, { contextId: 'b', timestamp: '2026-01-01T00:00:03.000Z' }),
        task(COMPLETED, { contextId: 'a', timestamp: '2026-01-01T00:00:04.000Z' }),
        task(TaskState.TASK_STATE_FAILED, { contextId: 'a', timestamp: '2026-01-01T00:00:05.000Z' }),
      ];
      for (const t of tasks) await store.save(t, carol);
      const ids = (list: { tasks: Task[] }) => list.tasks.map((t) => t.id);
      const newestFirst = [...tasks].reverse().map((t) => t.id);

      const all = await store.list(listAll(), carol);
      expect(ids(all)).toEqual(newestFirst);
      expect(all.totalSize).toBe(5);
      expect(all.tasks.every((t) => t.artifacts.length === 0)).toBe(true);
      expect((await store.list(listAll({ includeArtifacts: true }), carol)).tasks[0]?.artifacts).toHaveLength(1);

      expect(ids(await store.list(listAll({ contextId: 'b' }), carol))).toEqual([tasks[2]!.id]);
      expect(ids(await store.list(listAll({ status: COMPLETED }), carol))).toEqual(
        [tasks[3]!, tasks[2]!, tasks[0]!].map((t) => t.id),
      );
      expect(ids(await store.list(listAll({ statusTimestampAfter: '2026-01-01T00:00:03.000Z' }), carol))).toEqual(
        [tasks[4]!, tasks[3]!].map((t) => t.id),
      );

      const pages: string[][] = [];
      let pageToken = '';
      do {
        const page = await store.list(listAll({ pageSize: 2, pageToken }), carol);
        expect(page.totalSize).toBe(5);
        pages.push(ids(page));
        pageToken = page.nextPageToken;
      } while (pageToken !== '');
      expect(pages).toEqual([newestFirst.slice(0, 2), newestFirst.slice(2, 4), newestFirst.slice(4)]);
      await expect(store.list(listAll({ pageToken: 'not-a-token' }), carol)).rejects.toMatchObject({
        name: 'RequestMalformedError',
      });
    });
  });
}
