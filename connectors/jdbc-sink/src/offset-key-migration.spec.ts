import { SinkTopics } from '@millrace/connect-sdk';
import { planOffsetKeyMigration, topicRenamingTransforms } from './offset-key-migration';

describe('planOffsetKeyMigration (millrace_sink_offsets rows of key_version 1)', () => {
  const listed = SinkTopics.fromConfig({ topics: 'erp.customers, erp2.customers' });

  it('has nothing to do without old rows', () => {
    expect(planOffsetKeyMigration('c', [], listed, ['route (RegexRouter)'])).toEqual({ kind: 'none' });
  });

  it('adopts rows of consumed topics when no transform can rename a topic', () => {
    const rows = [
      { topic: 'erp2.customers', partition: 0, nextOffset: 7 },
      { topic: 'erp.customers', partition: 1, nextOffset: 3 },
      { topic: 'erp.customers', partition: 0, nextOffset: 5 },
    ];
    expect(planOffsetKeyMigration('c', rows, listed, [])).toEqual({ kind: 'adopt', topics: ['erp.customers', 'erp2.customers'] });
    const byRegex = SinkTopics.fromConfig({ 'topics.regex': 'erp[0-9]*\\.customers' });
    expect(planOffsetKeyMigration('c', rows, byRegex, [])).toEqual({ kind: 'adopt', topics: ['erp.customers', 'erp2.customers'] });
  });

  it('refuses a row keyed by a routed topic name, naming it, the consumed topics and the SQL to run', () => {
    const plan = planOffsetKeyMigration("o'brien-sink", [{ topic: 'customers_all', partition: 0, nextOffset: 5004 }], listed, ['route (RegexRouter)']);
    expect(plan.kind).toBe('refuse');
    const message = plan.kind === 'refuse' ? plan.message : '';
    expect(message).toContain('customers_all-0@5004');
    expect(message).toContain('customers_all is not consumed by the connector (topics=erp.customers,erp2.customers)');
    expect(message).toContain("DELETE FROM millrace_sink_offsets WHERE connector_name = 'o''brien-sink' AND key_version = 1;");
    expect(message).toContain('consumer group connect-o\'brien-sink');
  });

  it('refuses rows of consumed topics when a router may have renamed another consumed topic into them', () => {
    const plan = planOffsetKeyMigration('c', [{ topic: 'erp.customers', partition: 0, nextOffset: 9 }], listed, ['route (RegexRouter)']);
    expect(plan).toEqual({ kind: 'refuse', message: expect.stringContaining('transform(s) route (RegexRouter) may have renamed other consumed topics to erp.customers') });
  });

  it('refuses when the consumed topics are unknown (neither topics nor topics.regex)', () => {
    expect(planOffsetKeyMigration('c', [{ topic: 't', partition: 0, nextOffset: 1 }], SinkTopics.fromConfig({}), []).kind).toBe('refuse');
  });
});

describe('topicRenamingTransforms', () => {
  it('lists the routers among the configured transforms, by type', () => {
    const config = {
      transforms: 'unwrap, route,stamp,ts',
      'transforms.unwrap.type': 'io.debezium.transforms.ExtractNewRecordState',
      'transforms.route.type': 'org.apache.kafka.connect.transforms.RegexRouter',
      'transforms.stamp.type': 'InsertField$Value',
      'transforms.ts.type': 'TimestampRouter',
    };
    expect(topicRenamingTransforms(config)).toEqual(['route (org.apache.kafka.connect.transforms.RegexRouter)', 'ts (TimestampRouter)']);
    expect(topicRenamingTransforms({})).toEqual([]);
  });
});
