import type { ConnectSchema } from '@millrace/connect-sdk';
import { sinkRecord, structSchema } from '@millrace/connect-sdk/testing';
import { unwrapChangeEvent } from './change-events';

const ROW: ConnectSchema = structSchema([['id', { type: 'int64', optional: false }], ['name', { type: 'string', optional: true }]], { name: 'erp.public.items.Value', optional: true });
const ENVELOPE = structSchema([['before', ROW], ['after', ROW], ['op', { type: 'string', optional: false }]], { name: 'erp.public.items.Envelope' });
const event = (op: string, before: unknown, after: unknown) => sinkRecord({ topic: 'items', valueSchema: ENVELOPE, value: { before, after, op }, headers: [{ key: 'h', value: 'kept' }] });

describe('unwrapChangeEvent', () => {
  it('turns creates, updates and snapshot reads into their after state, with its schema and the headers', () => {
    for (const op of ['c', 'u', 'r']) {
      const out = unwrapChangeEvent(event(op, null, { id: 1, name: 'a' }));
      expect(out).toMatchObject({ valueSchema: ROW, value: { id: 1, name: 'a' }, headers: [{ key: 'h', value: 'kept' }] });
    }
  });

  it('turns a delete into a delete by key (null value) and skips truncates and messages', () => {
    expect(unwrapChangeEvent(event('d', { id: 1, name: 'a' }, null))).toMatchObject({ valueSchema: ROW, value: null });
    expect(unwrapChangeEvent(event('t', null, null))).toBeNull();
    expect(unwrapChangeEvent(event('m', null, null))).toBeNull();
  });

  it('returns flat rows, tombstones and schemaless values unchanged', () => {
    const flat = sinkRecord({ valueSchema: ROW, value: { id: 1, name: 'a' } });
    const tombstone = sinkRecord({ valueSchema: null, value: null });
    const schemaless = sinkRecord({ valueSchema: null, value: { op: 'c', after: { id: 1 } } });
    const opAndAfterButNoStruct = sinkRecord({ valueSchema: structSchema([['op', { type: 'string', optional: false }], ['after', { type: 'string', optional: true }]]), value: { op: 'c', after: 'x' } });
    for (const r of [flat, tombstone, schemaless, opAndAfterButNoStruct]) expect(unwrapChangeEvent(r)).toBe(r);
  });
});
