import { errorMessage } from '@millrace/app-common';
import type { Reply } from './task-thread-protocol';

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
}

/**
 * Request/reply over a MessagePort-like channel (postMessage of plain data): `call`
 * sends `{t:'request', seq, request}` and settles with the `reply` of the same seq;
 * `answer` runs a handler for a received request and posts its reply. `closeAll`
 * rejects every pending call (the other side is gone).
 */
export class MessageRpc<Req> {
  private seq = 0;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly post: (message: unknown) => void) {}

  call<T = unknown>(request: Req): Promise<T> {
    const seq = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(seq, { resolve: resolve as (v: unknown) => void, reject });
      try {
        this.post({ t: 'request', seq, request });
      } catch (err) {
        this.pending.delete(seq);
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  /** Settles the call a reply answers. */
  settle(reply: Reply): void {
    const p = this.pending.get(reply.seq);
    if (!p) return;
    this.pending.delete(reply.seq);
    if (reply.ok) p.resolve(reply.value);
    else p.reject(new Error(reply.error ?? 'failed'));
  }

  /** Runs `handler` for a request and posts the reply. */
  async answer<R>(seq: number, request: R, handler: (request: R) => Promise<unknown>): Promise<void> {
    let reply: Reply;
    try {
      reply = { t: 'reply', seq, ok: true, value: await handler(request) };
    } catch (err) {
      reply = { t: 'reply', seq, ok: false, error: errorMessage(err) };
    }
    try {
      this.post(reply);
    } catch {
      // the other side is gone
    }
  }

  closeAll(err: Error): void {
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(err);
  }
}
