import * as fs from 'node:fs';
import * as net from 'node:net';

/**
 * Preloaded into a broker child process (`NODE_OPTIONS=--require .../frame-capture-hook.js`)
 * to record every request frame clients send to its Kafka port, for fuzz seeds
 * (capture-fuzz-seeds.ts). Appends one line per frame to `$MILLRACE_FRAME_CAPTURE_FILE`:
 * the frame WITHOUT its 4-byte size prefix, hex-encoded. It taps the accepted sockets'
 * 'data' events (the broker reads them the same way) and never writes to a socket.
 * Capture-only: nothing in the apps loads it.
 */
const file = process.env['MILLRACE_FRAME_CAPTURE_FILE'];
const kafkaPort = Number(process.env['MILLRACE_KAFKA_PORT']);

function tap(socket: net.Socket): void {
  let pending: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= 4) {
      const size = pending.readInt32BE(0);
      if (size < 0 || pending.length < 4 + size) break;
      fs.appendFileSync(file as string, pending.subarray(4, 4 + size).toString('hex') + '\n');
      pending = pending.subarray(4 + size);
    }
  });
}

if (file) {
  const proto = net.Server.prototype as unknown as { emit: (this: net.Server, event: string | symbol, ...args: unknown[]) => boolean };
  const emit = proto.emit;
  proto.emit = function (this: net.Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'connection') {
      const address = this.address();
      if (address !== null && typeof address === 'object' && address.port === kafkaPort) tap(args[0] as net.Socket);
    }
    return emit.call(this, event, ...args);
  };
}
