import type { ConnectRecord, SinkRecord } from '../record/connect-record';
import { sinkRecord, sourceRecord } from '../testing/record-builders';
import { RegexRouter } from './regex-router';

function router<R extends ConnectRecord = ConnectRecord>(regex: string, replacement: string): RegexRouter<R> {
  const t = new RegexRouter<R>();
  t.configure({ regex, replacement });
  return t;
}

describe('RegexRouter', () => {
  it('rewrites a fully matching topic with Java group references', () => {
    const out = router<SinkRecord>('(.*)\\.(.*)\\.(.*)', '$3_$2').apply(sinkRecord({ topic: 'server.inventory.orders', kafkaOffset: 4 }));
    expect(out?.topic).toBe('orders_inventory');
    expect(out?.kafkaOffset).toBe(4);
  });

  it('requires a whole-string match', () => {
    const rec = sourceRecord({ topic: 'xorders' });
    expect(router('orders', 'o')?.apply(rec)).toBe(rec);
  });

  it('supports named groups and escaped dollars', () => {
    expect(router('(?<db>\\w+)-(\\d+)', 'db_${db}_\\$$2').apply(sourceRecord({ topic: 'shop-12' }))?.topic).toBe('db_shop_$12');
  });

  it('rejects an invalid regex or a reference to a missing group, naming the key', () => {
    expect(() => router('(', 'x')).toThrow(expect.objectContaining({ key: 'regex' }));
    expect(() => router('(a)', '$2')).toThrow(expect.objectContaining({ key: 'replacement', message: 'Invalid value $2 for configuration replacement: No group 2' }));
    expect(() => new RegexRouter().configure({ regex: 'a' })).toThrow(expect.objectContaining({ key: 'replacement' }));
  });
});
