import * as net from 'node:net';

/**
 * The floor of the small-request case: a bare Node TCP server doing the socket work one
 * small produce and the fetch it wakes cost a broker, and nothing else. Run as its own
 * process (`node dist/bench/echo-floor-server.js`) so its CPU can be read from
 * /proc/<pid>/stat exactly like the broker's; it prints `{"port":N}` on stdout once it
 * listens on 127.0.0.1 and stops on SIGTERM or when stdin closes.
 *
 * Wire (bench-only, driven by librdkafka_bench.py phase "echo-floor"): frames of
 * `size int32 BE` + payload; the payload's first byte says what it is.
 * - `P` + data ("produce"): answered on the same connection with a 63-byte frame (the
 *   size of a Produce v7 answer for one partition); the data is handed to the parked
 *   fetch, if any, else queued for the next one.
 * - `F` ("fetch"): answered at once with every queued data payload, concatenated, in one
 *   frame; with none queued it is parked until the next produce (a long poll).
 * Per record that is what the broker does on its sockets: read the produce, write its
 * answer, write the fetch answer, read the next fetch. Node's stream layer (data events,
 * Writable) is used as the broker uses it, with Nagle off.
 */
const PRODUCE = 0x50; // 'P'
const FETCH = 0x46; // 'F'
const ACK = Buffer.alloc(4 + 63);
ACK.writeInt32BE(63, 0);

let parked: net.Socket | null = null;
let queued: Buffer[] = [];

function answerFetch(socket: net.Socket): void {
  const body = queued.length === 1 ? queued[0] : Buffer.concat(queued);
  queued = [];
  const head = Buffer.allocUnsafe(4);
  head.writeInt32BE(body.length, 0);
  socket.cork();
  socket.write(head);
  socket.write(body);
  socket.uncork();
}

function onFrame(socket: net.Socket, frame: Buffer): void {
  if (frame[0] === PRODUCE) {
    socket.write(ACK);
    queued.push(frame.subarray(1));
    if (parked !== null) {
      const fetch = parked;
      parked = null;
      answerFetch(fetch);
    }
  } else if (frame[0] === FETCH) {
    if (queued.length > 0) answerFetch(socket);
    else parked = socket;
  } else {
    socket.destroy();
  }
}

const server = net.createServer({ noDelay: true }, (socket) => {
  let pending: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= 4) {
      const size = pending.readInt32BE(0);
      if (pending.length < 4 + size) break;
      onFrame(socket, pending.subarray(4, 4 + size));
      pending = pending.subarray(4 + size);
    }
  });
  socket.on('error', () => socket.destroy());
  socket.on('close', () => {
    if (parked === socket) parked = null;
  });
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address() as net.AddressInfo;
  process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
});
const stop = (): void => {
  server.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
