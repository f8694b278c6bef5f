import { MessageRpc } from './message-rpc';
import type { Reply } from './task-thread-protocol';

/** Two ends wired to each other, as the worker and a task thread are through postMessage. */
function pair() {
  const ends: { a?: MessageRpc<string>; b?: MessageRpc<string> } = {};
  const deliver = (to: () => MessageRpc<string>, handler: (r: string) => Promise<unknown>) => (m: unknown) => {
    const msg = m as Reply | { t: 'request'; seq: number; request: string };
    setImmediate(() => (msg.t === 'reply' ? to().settle(msg) : void to().answer(msg.seq, msg.request, handler)));
  };
  const a = new MessageRpc<string>(deliver(() => ends.b!, async (r) => `b:${r}`));
  const b = new MessageRpc<string>(
    deliver(
      () => ends.a!,
      async (r) => {
        if (r === 'boom') throw new Error('failed on purpose');
        return `a:${r}`;
      },
    ),
  );
  ends.a = a;
  ends.b = b;
  return { a, b };
}

describe('MessageRpc', () => {
  it('answers each call with the reply of the same seq, in any order', async () => {
    const { a, b } = pair();
    expect(await Promise.all([a.call('x'), a.call('y'), b.call('z')])).toEqual(['b:x', 'b:y', 'a:z']);
  });

  it('rejects with the handler error message, and every pending call on closeAll', async () => {
    const { b } = pair();
    await expect(b.call('boom')).rejects.toThrow('failed on purpose');
    const lost = new MessageRpc<string>(() => undefined);
    const pending = lost.call('never answered');
    lost.closeAll(new Error('the task thread exited (code 1)'));
    await expect(pending).rejects.toThrow('exited');
  });
});
