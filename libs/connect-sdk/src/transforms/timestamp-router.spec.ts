import { sinkRecord } from '../testing/record-builders';
import { SimpleDateFormat } from './simple-date-format';
import { TimestampRouter } from './timestamp-router';

const TS = Date.UTC(2024, 0, 5, 14, 3, 9, 7); // 2024-01-05T14:03:09.007Z, a Friday

function router(config: Record<string, string> = {}): TimestampRouter {
  const t = new TimestampRouter();
  t.configure(config);
  return t;
}

describe('TimestampRouter', () => {
  it('defaults to ${topic}-${timestamp} with yyyyMMdd in UTC', () => {
    expect(router().apply(sinkRecord({ topic: 'logs', timestamp: TS }))?.topic).toBe('logs-20240105');
  });

  it('uses topic.format and timestamp.format', () => {
    const t = router({ 'topic.format': 'archive_${timestamp}_${topic}', 'timestamp.format': "yyyy-MM-dd'T'HH:mm:ss.SSS" });
    expect(t.apply(sinkRecord({ topic: 'logs', timestamp: TS }))?.topic).toBe('archive_2024-01-05T14:03:09.007_logs');
  });

  it('fails records without a timestamp', () => {
    expect(() => router().apply(sinkRecord({ timestamp: null }))).toThrow(/Timestamp missing on record/);
  });

  it('rejects unknown pattern letters naming the key', () => {
    expect(() => router({ 'timestamp.format': 'yyyyQQ' })).toThrow(expect.objectContaining({ key: 'timestamp.format', message: "Invalid value yyyyQQ for configuration timestamp.format: Illegal pattern character 'Q'" }));
  });
});

describe('SimpleDateFormat', () => {
  it.each([
    ['yyyyMMddHHmmssSSS', '20240105140309007'],
    ['yy-M-d h:m:s a', '24-1-5 2:3:9 PM'],
    ['EEE, d MMM yyyy', 'Fri, 5 Jan 2024'],
    ['EEEE MMMM', 'Friday January'],
    ["'week''s' D k K Z X", "week's 5 14 2 +0000 Z"],
  ])('%s', (pattern, expected) => {
    expect(new SimpleDateFormat(pattern).format(TS)).toBe(expected);
  });
});
