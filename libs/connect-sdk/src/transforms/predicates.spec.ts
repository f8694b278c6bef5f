import { sourceRecord } from '../testing/record-builders';
import { HasHeaderKey } from './has-header-key';
import { RecordIsTombstone } from './record-is-tombstone';
import { TopicNameMatches } from './topic-name-matches';

describe('predicates', () => {
  it('TopicNameMatches matches the whole topic name', () => {
    const p = new TopicNameMatches();
    p.configure({ pattern: 'orders-.*' });
    expect(p.test(sourceRecord({ topic: 'orders-eu' }))).toBe(true);
    expect(p.test(sourceRecord({ topic: 'all-orders-eu' }))).toBe(false);
  });

  it('TopicNameMatches requires a valid pattern', () => {
    expect(() => new TopicNameMatches().configure({})).toThrow(expect.objectContaining({ key: 'pattern' }));
    expect(() => new TopicNameMatches().configure({ pattern: '[' })).toThrow(expect.objectContaining({ key: 'pattern' }));
  });

  it('HasHeaderKey checks for a header key, even with a null value', () => {
    const p = new HasHeaderKey();
    p.configure({ name: 'trace' });
    expect(p.test(sourceRecord({ headers: [{ key: 'trace', value: null }] }))).toBe(true);
    expect(p.test(sourceRecord({ headers: [{ key: 'other', value: 'x' }] }))).toBe(false);
    expect(() => new HasHeaderKey().configure({})).toThrow(expect.objectContaining({ key: 'name' }));
  });

  it('RecordIsTombstone is true for null values', () => {
    const p = new RecordIsTombstone();
    p.configure({});
    expect(p.test(sourceRecord({ value: null }))).toBe(true);
    expect(p.test(sourceRecord({ value: {} }))).toBe(false);
  });
});
