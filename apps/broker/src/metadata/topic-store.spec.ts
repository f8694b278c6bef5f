import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { TopicStore } from './topic-store';
import { topicNameProblem } from './topic-name';

describe('TopicStore', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'topics-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('persists topics across instances', async () => {
    const a = new TopicStore(dir);
    await a.load();
    await a.update((t) => t.set('orders', { name: 'orders', topicId: TopicStore.newTopicId(), partitions: 6, replicationFactor: 1, configs: { 'cleanup.policy': 'compact' }, internal: false }));
    const b = new TopicStore(dir);
    await b.load();
    expect(b.get('orders')).toMatchObject({ partitions: 6, configs: { 'cleanup.policy': 'compact' } });
    expect(b.byId(a.get('orders')!.topicId)?.name).toBe('orders');
  });

  it('leaves the catalogue unchanged when a mutation throws', async () => {
    const s = new TopicStore(dir);
    await s.load();
    await expect(
      s.update(() => {
        throw new Error('nope');
      }),
    ).rejects.toThrow('nope');
    expect(s.all()).toEqual([]);
  });

  it('applies concurrent updates one after another', async () => {
    const s = new TopicStore(dir);
    await s.load();
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        s.update((t) => t.set('t' + i, { name: 't' + i, topicId: TopicStore.newTopicId(), partitions: 1, replicationFactor: 1, configs: {}, internal: false })),
      ),
    );
    const again = new TopicStore(dir);
    await again.load();
    expect(again.all()).toHaveLength(20);
  });
});

describe('topicNameProblem', () => {
  it.each([['ok-name_1.x', null], ['', 'empty'], ['..', '".."'], ['a b', 'characters'], ['x'.repeat(250), '249']])('%s', (name, problem) => {
    const p = topicNameProblem(name);
    if (problem === null) expect(p).toBeNull();
    else expect(p).toContain(problem);
  });
});
