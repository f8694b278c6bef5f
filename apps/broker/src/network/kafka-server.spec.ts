import { connect, Socket } from 'net';
import { KafkaServer } from './kafka-server';
import type { ConnectionContext, RequestDispatcher } from './request-dispatcher';

/** Echo dispatcher: the frame's 4th-8th bytes (correlation id) come back after a delay set by byte 0. */
class DelayedEcho implements RequestDispatcher {
  async dispatch(frame: Buffer, _ctx: ConnectionContext): Promise<Buffer[] | null> {
    if (frame[0] === 0xff) throw new Error('poison');
    await new Promise((r) => setTimeout(r, frame[0]));
    if (frame[1] === 1) return null;
    const out = Buffer.alloc(8);
    out.writeInt32BE(4, 0);
    frame.copy(out, 4, 4, 8);
    return [out];
  }
}

function request(delay: number, correlationId: number, noResponse = false): Buffer {
  const b = Buffer.alloc(12);
  b.writeInt32BE(8, 0);
  b[4] = delay;
  b[5] = noResponse ? 1 : 0;
  b.writeInt32BE(correlationId, 8);
  return b;
}

function readCorrelationIds(socket: Socket, count: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const ids: number[] = [];
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 8) {
        ids.push(buf.readInt32BE(4));
        buf = buf.subarray(8);
      }
      if (ids.length >= count) resolve(ids);
    });
    socket.on('error', reject);
  });
}

describe('KafkaServer', () => {
  let server: KafkaServer;
  let port: number;
  const logger = { warn: jest.fn(), debug: jest.fn() };

  beforeEach(async () => {
    server = new KafkaServer(new DelayedEcho(), { maxFrameBytes: 1024, maxInFlight: 4, maxInFlightRequestBytes: 1 << 20, maxQueuedResponseBytes: 1 << 20 }, logger);
    port = 20000 + Math.floor(Math.random() * 20000);
    await server.listen('127.0.0.1', port);
  });
  afterEach(() => server.close());

  it('answers pipelined requests in request order even when later ones finish first', async () => {
    const s = connect(port, '127.0.0.1');
    const delays = [40, 5, 30, 0, 20, 1, 10, 0, 3, 2];
    const got = readCorrelationIds(s, delays.length - 1);
    s.write(Buffer.concat(delays.map((d, i) => request(d, i + 1, i === 3))));
    expect(await got).toEqual([1, 2, 3, 5, 6, 7, 8, 9, 10]);
    s.destroy();
  });

  it('closes only the connection that sent a bad frame', async () => {
    const good = connect(port, '127.0.0.1');
    const bad = connect(port, '127.0.0.1');
    const badClosed = new Promise<void>((r) => bad.on('close', () => r()));
    const oversize = Buffer.alloc(4);
    oversize.writeInt32BE(4096);
    bad.write(oversize);
    await badClosed;
    const got = readCorrelationIds(good, 1);
    good.write(request(0, 77));
    expect(await got).toEqual([77]);
    good.destroy();
  });

  it('closes the connection whose request the dispatcher rejects', async () => {
    const s = connect(port, '127.0.0.1');
    const closed = new Promise<void>((r) => s.on('close', () => r()));
    const poison = request(0, 1);
    poison[4] = 0xff;
    s.write(poison);
    await closed;
    expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining('poison'));
  });

  it('keeps at most maxInFlightRequestBytes of requests unanswered, and answers every request in order', async () => {
    const frameBytes = 8 + 500;
    const cap = 2 * frameBytes;
    let inFlight = 0;
    let maxSeen = 0;
    const slow: RequestDispatcher = {
      async dispatch(frame: Buffer): Promise<Buffer[] | null> {
        inFlight += frame.length;
        maxSeen = Math.max(maxSeen, inFlight);
        await new Promise((r) => setTimeout(r, 2));
        inFlight -= frame.length;
        const out = Buffer.alloc(8);
        out.writeInt32BE(4, 0);
        frame.copy(out, 4, 4, 8);
        return [out];
      },
    };
    const capped = new KafkaServer(slow, { maxFrameBytes: 1024, maxInFlight: 1000, maxInFlightRequestBytes: cap, maxQueuedResponseBytes: 1 << 20 }, logger);
    const cappedPort = port + 1;
    await capped.listen('127.0.0.1', cappedPort);
    try {
      const s = connect(cappedPort, '127.0.0.1');
      const count = 1000; // about 500 KB: several socket reads
      const got = readCorrelationIds(s, count);
      const frames = Array.from({ length: count }, (_, i) => {
        const b = Buffer.alloc(4 + frameBytes);
        b.writeInt32BE(frameBytes, 0);
        b.writeInt32BE(i + 1, 8);
        return b;
      });
      // One write: the whole burst reaches the broker at once.
      s.write(Buffer.concat(frames));
      expect(await got).toEqual(Array.from({ length: count }, (_, i) => i + 1));
      // One socket read may complete several frames before reading pauses: the cap is
      // checked between reads, so a read's worth (64 KiB) may come on top of it.
      expect(maxSeen).toBeLessThanOrEqual(cap + 64 * 1024);
      expect(maxSeen).toBeLessThan(count * frameBytes);
      s.destroy();
    } finally {
      await capped.close();
    }
  });

  it('sends the responses that complete in the same turn (one group commit) in one socket write', async () => {
    const waiting: Array<() => void> = [];
    let all!: () => void;
    const collected = new Promise<void>((r) => (all = r));
    const gated: RequestDispatcher = {
      async dispatch(frame: Buffer): Promise<Buffer[] | null> {
        await new Promise<void>((r) => {
          waiting.push(r);
          if (waiting.length === 3) all();
        });
        const out = Buffer.alloc(8);
        out.writeInt32BE(4, 0);
        frame.copy(out, 4, 4, 8);
        return [out];
      },
    };
    const gatedServer = new KafkaServer(gated, { maxFrameBytes: 1024, maxInFlight: 10, maxInFlightRequestBytes: 1 << 20, maxQueuedResponseBytes: 1 << 20 }, logger);
    const gatedPort = port + 2;
    await gatedServer.listen('127.0.0.1', gatedPort);
    const uncork = jest.spyOn(Socket.prototype, 'uncork');
    try {
      const s = connect(gatedPort, '127.0.0.1');
      const got = readCorrelationIds(s, 3);
      s.write(Buffer.concat([request(0, 1), request(0, 2), request(0, 3)]));
      await collected;
      for (const resolve of waiting) resolve(); // one callback completes all three
      expect(await got).toEqual([1, 2, 3]);
      expect(uncork).toHaveBeenCalledTimes(1);
      s.destroy();
    } finally {
      uncork.mockRestore();
      await gatedServer.close();
    }
  });
});
