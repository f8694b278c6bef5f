import { SinkTopics } from './sink-topics';

describe('SinkTopics', () => {
  it('reads topics (trimmed, deduplicated) and resolves which exist', () => {
    const s = SinkTopics.fromConfig({ topics: ' present , absent,present,' });
    expect(s.topics).toEqual(['present', 'absent']);
    expect(s.resolve(['other', 'present', '__consumer_offsets'])).toEqual({ present: ['present'], missing: ['absent'] });
    expect(s.describe()).toBe('topics=present,absent');
  });

  it('matches topics.regex against whole names and never consumes internal topics', () => {
    const s = SinkTopics.fromConfig({ 'topics.regex': 'erp\\..*|__.*' });
    expect(s.matches('erp.orders')).toBe(true);
    expect(s.matches('xerp.orders')).toBe(false);
    expect(s.resolve(['erp.b', 'erp.a', 'mes.a', '__consumer_offsets', '__other'])).toEqual({ present: ['__other', 'erp.a', 'erp.b'], missing: [] });
    expect(s.describe()).toBe('topics.regex=erp\\..*|__.*');
  });

  it('consumes nothing without topics, or with a regex that does not compile', () => {
    expect(SinkTopics.fromConfig({}).matches('a')).toBe(false);
    expect(SinkTopics.fromConfig({ 'topics.regex': '(' }).resolve(['(']).present).toEqual([]);
  });
});
