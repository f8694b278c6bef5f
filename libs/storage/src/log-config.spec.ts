import { DEFAULT_LOG_CONFIG, logConfig, logConfigOverrides, logConfigToStrings, LONG_MAX, parseLogConfig } from './log-config';

describe('log config', () => {
  it("has Kafka's defaults", () => {
    expect(DEFAULT_LOG_CONFIG).toMatchObject({
      segmentBytes: 1073741824,
      segmentMs: 604800000,
      retentionMs: 604800000,
      retentionBytes: -1,
      cleanupPolicy: ['delete'],
      deleteRetentionMs: 86400000,
      minCompactionLagMs: 0,
      minCleanableDirtyRatio: 0.5,
      flushMessages: LONG_MAX,
      flushMs: LONG_MAX,
      indexIntervalBytes: 4096,
      segmentIndexBytes: 10485760,
      maxMessageBytes: 1048588,
      messageTimestampType: 'CreateTime',
    });
    const strings = logConfigToStrings(DEFAULT_LOG_CONFIG);
    expect(strings['flush.messages']).toBe('9223372036854775807');
    expect(strings['cleanup.policy']).toBe('delete');
  });

  it('parses AlterConfigs strings', () => {
    const c = parseLogConfig({
      'cleanup.policy': 'compact,delete',
      'retention.ms': '-1',
      'segment.bytes': '1048576',
      'flush.messages': '1',
      'min.cleanable.dirty.ratio': '0.25',
      'message.timestamp.type': 'LogAppendTime',
      'flush.ms': '9223372036854775807',
      'compression.type': 'zstd',
      'retention.bytes': undefined,
    });
    expect(c).toMatchObject({
      cleanupPolicy: ['compact', 'delete'],
      retentionMs: -1,
      segmentBytes: 1048576,
      flushMessages: 1,
      minCleanableDirtyRatio: 0.25,
      messageTimestampType: 'LogAppendTime',
      flushMs: LONG_MAX,
      compressionType: 'zstd',
    });
    expect(logConfigOverrides(c)).toEqual({
      'cleanup.policy': 'compact,delete',
      'retention.ms': '-1',
      'segment.bytes': '1048576',
      'flush.messages': '1',
      'min.cleanable.dirty.ratio': '0.25',
      'message.timestamp.type': 'LogAppendTime',
      'compression.type': 'zstd',
    });
    // Round trip.
    expect(parseLogConfig(logConfigToStrings(c))).toEqual(c);
  });

  it('rejects bad values naming the key', () => {
    expect(() => parseLogConfig({ 'segment.bytes': 'lots' })).toThrow(/segment\.bytes/);
    expect(() => parseLogConfig({ 'segment.bytes': '10' })).toThrow(/segment\.bytes.*at least 14/);
    expect(() => parseLogConfig({ 'segment.bytes': '4294967296' })).toThrow(/segment\.bytes/);
    expect(() => parseLogConfig({ 'retention.ms': '-2' })).toThrow(/retention\.ms/);
    expect(() => parseLogConfig({ 'cleanup.policy': 'shred' })).toThrow(/cleanup\.policy/);
    expect(() => parseLogConfig({ 'min.cleanable.dirty.ratio': '1.5' })).toThrow(/min\.cleanable\.dirty\.ratio/);
    expect(() => parseLogConfig({ 'message.timestamp.type': 'Now' })).toThrow(/message\.timestamp\.type/);
    expect(() => parseLogConfig({ 'no.such.key': '1' })).toThrow(/Unknown topic config name: no\.such\.key/);
    expect(() => parseLogConfig({ 'min.compaction.lag.ms': '10', 'max.compaction.lag.ms': '5' })).toThrow(/max\.compaction\.lag\.ms/);
    try {
      parseLogConfig({ 'flush.ms': 'x' });
    } catch (e) {
      expect((e as { errorCode: number }).errorCode).toBe(40);
    }
    expect(() => logConfig({ segmentBytes: 3 })).toThrow(/segment\.bytes/);
  });

  it('accepts message.format.version as the no-op it is in Kafka 3.x, validating the version', () => {
    expect(logConfigToStrings(DEFAULT_LOG_CONFIG)['message.format.version']).toBe('3.0-IV1');
    expect(parseLogConfig({ 'message.format.version': '2.8' }).messageFormatVersion).toBe('2.8');
    expect(parseLogConfig({ 'message.format.version': '0.10.2' }).messageFormatVersion).toBe('0.10.2');
    expect(() => parseLogConfig({ 'message.format.version': 'latest' })).toThrow(/message\.format\.version/);
  });
});
