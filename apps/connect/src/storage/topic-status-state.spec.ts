import { TopicStatusState } from './topic-status-state';

describe('TopicStatusState (active topics in connect-status)', () => {
  test('a topic is written once per connector, in Kafka Connect key and value shape', () => {
    const state = new TopicStatusState();
    const record = state.add('erp', 'orders', 2, 1_700_000_000_000);
    expect(record).toEqual({
      key: 'status-topic-orders:connector-erp',
      value: JSON.stringify({ topic: { name: 'orders', connector: 'erp', task: 2, discoverTimestamp: 1_700_000_000_000 } }),
    });
    expect(state.add('erp', 'orders', 0)).toBeNull();
    expect(state.add('other', 'orders', 0)?.key).toBe('status-topic-orders:connector-other');
    expect(state.topics('erp')).toEqual(['orders']);
  });

  test('records written by another worker are applied; tombstones forget them; connectors with ":connector-" in the name parse', () => {
    const writer = new TopicStatusState();
    const reader = new TopicStatusState();
    for (const r of [writer.add('a:connector-b', 'x.y', 0), writer.add('a:connector-b', 'w', 1)]) if (r) reader.apply(r);
    expect(reader.topics('a:connector-b')).toEqual(['w', 'x.y']);
    const tombstones = writer.reset('a:connector-b');
    expect(tombstones.map((t) => t.value)).toEqual([null, null]);
    for (const t of tombstones) reader.apply(t);
    expect(reader.topics('a:connector-b')).toEqual([]);
    expect(writer.add('a:connector-b', 'w', 0)).not.toBeNull();
  });

  test('keys of other status records are not topic keys', () => {
    expect(TopicStatusState.isKey('status-task-erp-0')).toBe(false);
    expect(TopicStatusState.isKey('status-topic-t:connector-c')).toBe(true);
  });
});
