import { SinkTopics } from '@millrace/connect-sdk';
import { sinkConsumerConfig } from './sink-consumer-config';
import { missingTopicsNote } from './sink-topic-watcher';

describe('sinkConsumerConfig', () => {
  it('has defaults and takes consumer.override.* values, listing the keys it does not apply', () => {
    expect(sinkConsumerConfig({ topics: 'a' })).toEqual({ sessionTimeoutMs: 30_000, heartbeatIntervalMs: 3_000, rebalanceTimeoutMs: 60_000, metadataMaxAgeMs: 5_000, ignored: [] });
    const c = sinkConsumerConfig({
      'consumer.override.session.timeout.ms': '6000',
      'consumer.override.heartbeat.interval.ms': ' 1000 ',
      'consumer.override.max.poll.interval.ms': '10000',
      'consumer.override.metadata.max.age.ms': '500',
      'consumer.override.fetch.min.bytes': '1',
    });
    expect(c).toEqual({ sessionTimeoutMs: 6000, heartbeatIntervalMs: 1000, rebalanceTimeoutMs: 10_000, metadataMaxAgeMs: 500, ignored: ['consumer.override.fetch.min.bytes'] });
  });

  it('refuses a bad value naming the key', () => {
    expect(() => sinkConsumerConfig({ 'consumer.override.session.timeout.ms': 'soon' })).toThrow('consumer.override.session.timeout.ms: must be a positive integer (milliseconds), got "soon"');
    expect(() => sinkConsumerConfig({ 'consumer.override.metadata.max.age.ms': '0' })).toThrow(/metadata\.max\.age\.ms/);
    expect(() => sinkConsumerConfig({ 'consumer.override.session.timeout.ms': '6000', 'consumer.override.heartbeat.interval.ms': '6000' })).toThrow(
      'consumer.override.heartbeat.interval.ms (6000) must be less than session.timeout.ms (6000)',
    );
  });
});

describe('missingTopicsNote', () => {
  it('names the missing topics and what is consumed meanwhile; null once none is missing', () => {
    const listed = SinkTopics.fromConfig({ topics: 'present,absent' });
    expect(missingTopicsNote(listed, { present: ['present'], missing: ['absent'] })).toBe(
      'Missing topics: absent (not found in the cluster; consuming present; each missing topic is picked up once it exists)',
    );
    expect(missingTopicsNote(listed, { present: [], missing: ['present', 'absent'] })).toMatch(/^Missing topics: present, absent \(not found in the cluster; nothing to consume yet;/);
    expect(missingTopicsNote(listed, { present: ['absent', 'present'], missing: [] })).toBeNull();
  });

  it('says when topics.regex matches nothing yet', () => {
    const regex = SinkTopics.fromConfig({ 'topics.regex': 'erp\\..*' });
    expect(missingTopicsNote(regex, { present: [], missing: [] })).toBe('No topic matches topics.regex=erp\\..* yet; matching topics are picked up once they exist');
    expect(missingTopicsNote(regex, { present: ['erp.a'], missing: [] })).toBeNull();
  });
});
