import { startBroker, type BrokerProcess } from '@millrace/testing';
import { Kafka, logLevel } from 'kafkajs';

/** The broker's HTTP surface: /health, /admin/topics, /admin/groups and /metrics, against a real broker. */
describe('broker HTTP admin API', () => {
  let broker: BrokerProcess;
  let base: string;
  let kafka: Kafka;

  beforeAll(async () => {
    broker = await startBroker({ env: { MILLRACE_GROUP_INITIAL_REBALANCE_DELAY_MS: '0', MILLRACE_OFFSETS_TOPIC_NUM_PARTITIONS: '4' } });
    base = `http://${broker.host}:${broker.httpPort}`;
    kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  });
  afterAll(() => broker?.stop());

  const json = async (path: string, init?: RequestInit): Promise<{ status: number; body: Record<string, unknown> & unknown[] }> => {
    const res = await fetch(base + path, { ...init, headers: { 'content-type': 'application/json' } });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };

  it('reports health', async () => {
    expect((await json('/health')).body).toMatchObject({ status: 'UP', offlinePartitions: [], unresolvedCorruptRanges: 0 });
  });

  it('creates a topic, refusing bad bodies by field and duplicates with 409', async () => {
    const bad = await json('/admin/topics', { method: 'POST', body: JSON.stringify({ name: 'x', partitions: 0 }) });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/partitions/);
    const unknownField = await json('/admin/topics', { method: 'POST', body: JSON.stringify({ name: 'x', partitons: 2 }) });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.message).toMatch(/partitons/);
    const badConfig = await json('/admin/topics', { method: 'POST', body: JSON.stringify({ name: 'x', configs: { 'retention.ms': 'never' } }) });
    expect(badConfig.status).toBe(400);
    expect(badConfig.body.message).toMatch(/retention.ms/);

    const malformed = await fetch(base + '/admin/topics', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name": ' });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error_code: 400, message: expect.stringMatching(/JSON/) });

    const created = await json('/admin/topics', { method: 'POST', body: JSON.stringify({ name: 'orders', partitions: 3, configs: { 'retention.ms': '3600000' } }) });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'orders', partitions: [{ partition: 0 }, { partition: 1 }, { partition: 2 }] });
    expect((created.body.configs as Record<string, { value: string; source: string }>)['retention.ms']).toEqual({ value: '3600000', source: 'topic' });
    expect((await json('/admin/topics', { method: 'POST', body: JSON.stringify({ name: 'orders' }) })).status).toBe(409);
    const list = await json('/admin/topics');
    expect((list.body as unknown as { name: string }[]).map((t) => t.name)).toEqual(expect.arrayContaining(['orders', '__consumer_offsets']));
  });

  it('describes offsets and bytes on disk, and group lag per partition', async () => {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'orders', messages: Array.from({ length: 30 }, (_, i) => ({ partition: i % 3, value: `order-${i}` })) });
    await producer.disconnect();

    const topic = await json('/admin/topics/orders');
    const partitions = topic.body.partitions as { logEndOffset: number; highWatermark: number; sizeBytes: number }[];
    expect(partitions.map((p) => p.highWatermark)).toEqual([10, 10, 10]);
    expect(partitions.every((p) => p.sizeBytes > 0)).toBe(true);

    const admin = kafka.admin();
    await admin.connect();
    await admin.setOffsets({ groupId: 'reporting', topic: 'orders', partitions: [{ partition: 0, offset: '4' }, { partition: 1, offset: '10' }] });
    await admin.disconnect();
    const group = await json('/admin/groups/reporting');
    expect(group.status).toBe(200);
    expect(group.body.state).toBe('Empty');
    expect(group.body.offsets).toEqual([
      { topic: 'orders', partition: 0, committedOffset: 4, highWatermark: 10, lag: 6 },
      { topic: 'orders', partition: 1, committedOffset: 10, highWatermark: 10, lag: 0 },
    ]);
    expect(group.body.totalLag).toBe(6);
    expect((await json('/admin/groups')).body).toEqual(expect.arrayContaining([expect.objectContaining({ groupId: 'reporting', state: 'Empty' })]));
    expect((await json('/admin/groups/nobody')).status).toBe(404);

    const metrics = await (await fetch(base + '/metrics')).text();
    expect(metrics).toMatch(/millrace_topic_records_in_total\{topic="orders"\} 30/);
    expect(metrics).toMatch(/millrace_request_duration_seconds_count\{api="Produce"\} [1-9]/);
    expect(metrics).toMatch(/millrace_group_lag\{group="reporting",topic="orders",partition="0"\} 6/);
    expect(metrics).toMatch(/millrace_log_size_bytes\{topic="orders",partition="2"\} [1-9]/);
    expect(metrics).toMatch(/millrace_process_resident_memory_bytes [1-9]/);
  });

  it('deletes a topic with 204, then 404', async () => {
    expect((await json('/admin/topics/orders', { method: 'DELETE' })).status).toBe(204);
    expect((await json('/admin/topics/orders')).status).toBe(404);
    expect((await json('/admin/topics/orders', { method: 'DELETE' })).status).toBe(404);
  });
});
