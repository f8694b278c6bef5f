import { DROPPED_OFFSET_FIELD, RedeliveryDedupe, UNCONFIRMED_OFFSET_FIELD } from './redelivery-dedupe';

const listed = (d: RedeliveryDedupe): string => String(d.offsetFields()[UNCONFIRMED_OFFSET_FIELD]);

const p = (s: string): Buffer => Buffer.from(s);

describe('RedeliveryDedupe', () => {
  it('drops a DUP redelivery of a message listed in the committed offset, after a restart', () => {
    const before = new RedeliveryDedupe();
    const a = before.take(7, 't/1', p('{"seq":1}'), false).entry;
    before.read(a);
    const stored = before.offsetFields();
    expect(stored[UNCONFIRMED_OFFSET_FIELD]).toMatch(/^7:/);

    const after = new RedeliveryDedupe();
    after.restore({ ...stored, [DROPPED_OFFSET_FIELD]: 4 });
    expect(after.take(7, 't/1', p('{"seq":1}'), true).verdict).toBe('duplicate');
    expect(after.dropped).toBe(5);
    expect(after.offsetFields()[DROPPED_OFFSET_FIELD]).toBe(5);
    // not DUP, or another content under the reused id: a new message
    expect(after.take(7, 't/1', p('{"seq":2}'), true).verdict).toBe('new');
    expect(new RedeliveryDedupe().take(7, 't/1', p('{"seq":1}'), true).verdict).toBe('new');
  });

  it('lists only messages handed to the runtime in the offset', () => {
    const d = new RedeliveryDedupe();
    const a = d.take(1, 't', p('a'), false).entry;
    d.take(2, 't', p('b'), false);
    d.read(a);
    expect(listed(d).split(',')).toHaveLength(1);
    expect(listed(d)).toMatch(/^1:/);
  });

  it('forgets a message once a barrier sent after its acknowledgement completes on the same connection', () => {
    const d = new RedeliveryDedupe();
    const a = d.take(1, 't', p('a'), false).entry;
    const b = d.take(2, 't', p('b'), false).entry;
    d.read(a);
    d.read(b);
    d.ackWritten(1);
    const barrier = d.barrierSent()!;
    d.ackWritten(2); // after the barrier: not proven
    expect(d.barrierDone(barrier)).toBe(true);
    expect(listed(d)).toMatch(/^2:/);
    expect(listed(d).split(',')).toHaveLength(1);
    d.barrierDone(d.barrierSent()!);
    expect(listed(d)).toBe('');
  });

  it('ignores a barrier that completes after its connection closed', () => {
    const d = new RedeliveryDedupe();
    d.read(d.take(1, 't', p('a'), false).entry);
    d.ackWritten(1);
    const barrier = d.barrierSent()!;
    d.connectionClosed();
    expect(d.barrierDone(barrier)).toBe(false);
    expect(d.size).toBe(1);
  });

  it('on reconnect keeps what the broker redelivers and drops the rest at the first barrier', () => {
    const d = new RedeliveryDedupe();
    d.restore({ [UNCONFIRMED_OFFSET_FIELD]: '1:aaaaaaaaaaaa,2:bbbbbbbbbbbb' });
    const kept = d.take(3, 't', p('c'), false).entry;
    d.read(kept);
    d.connectionClosed();
    expect(d.take(3, 't', p('c'), true).verdict).toBe('duplicate'); // redelivered: its ack is not written on this connection
    d.barrierDone(d.barrierSent(true)!);
    expect(listed(d)).toBe(kept.key);
  });

  it('skips malformed stored entries', () => {
    const d = new RedeliveryDedupe();
    d.restore({ [UNCONFIRMED_OFFSET_FIELD]: 'garbage,:x,zz:abc' });
    expect(d.size).toBe(1);
  });
});
