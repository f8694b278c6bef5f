import { connect, type Socket } from 'net';
import { decodeResponse, encodeRequest, type ApiByKey, type RequestInputOf, type ResponseOf } from '@millrace/protocol';

/**
 * One client connection to a Kafka broker: sends requests with increasing correlation
 * ids and matches the size-prefixed responses to them (Kafka answers in order). Any
 * socket error or close rejects every pending request; the connection is then dead and
 * the owner opens a new one.
 */
export class KafkaConnection {
  private nextCorrelationId = 1;
  private readonly pending = new Map<number, { resolve: (frame: Buffer) => void; reject: (err: Error) => void }>();
  /** Received bytes not yet framed: `buffered`, then the chunks in `later`; `bufferedBytes` counts both. */
  private buffered: Buffer = Buffer.alloc(0);
  private later: Buffer[] = [];
  private bufferedBytes = 0;
  private failure: Error | null = null;

  private constructor(
    private readonly socket: Socket,
    private readonly clientId: string,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(new Error('connection closed by the broker')));
  }

  static open(host: string, port: number, clientId: string, timeoutMs = 10_000): Promise<KafkaConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connecting to ${host}:${port} timed out`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(new KafkaConnection(socket, clientId));
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  get alive(): boolean {
    return this.failure === null;
  }

  async send<K extends number>(apiKey: K, apiVersion: number, body: RequestInputOf<ApiByKey<K>>): Promise<ResponseOf<ApiByKey<K>>> {
    if (this.failure) throw this.failure;
    const correlationId = this.nextCorrelationId++;
    const frame = await new Promise<Buffer>((resolve, reject) => {
      this.pending.set(correlationId, { resolve, reject });
      this.socket.write(encodeRequest(apiKey, apiVersion, correlationId, this.clientId, body));
    });
    return decodeResponse(apiKey, apiVersion, frame).body;
  }

  close(): void {
    this.fail(new Error('connection closed'));
    this.socket.destroy();
  }

  /**
   * Frames a response only once all its bytes are there: chunks of a large frame (a
   * multi-MiB fetch arrives in 64 KiB reads) are collected and joined once, not copied
   * again on every read.
   */
  private onData(chunk: Buffer): void {
    if (this.buffered.length === 0) this.buffered = chunk;
    else this.later.push(chunk);
    this.bufferedBytes += chunk.length;
    const needed = this.buffered.length >= 4 ? 4 + this.buffered.readInt32BE(0) : 4;
    if (this.bufferedBytes < needed) return;
    if (this.later.length > 0) {
      this.buffered = Buffer.concat([this.buffered, ...this.later], this.bufferedBytes);
      this.later = [];
    }
    while (this.buffered.length >= 4) {
      const size = this.buffered.readInt32BE(0);
      if (this.buffered.length < 4 + size) break;
      const frame = this.buffered.subarray(4, 4 + size);
      this.buffered = this.buffered.subarray(4 + size);
      const correlationId = frame.readInt32BE(0);
      const waiter = this.pending.get(correlationId);
      if (!waiter) {
        this.fail(new Error(`response with unknown correlation id ${correlationId}`));
        this.socket.destroy();
        return;
      }
      this.pending.delete(correlationId);
      waiter.resolve(frame);
    }
    this.bufferedBytes = this.buffered.length;
  }

  private fail(err: Error): void {
    if (!this.failure) this.failure = err;
    for (const w of this.pending.values()) w.reject(this.failure);
    this.pending.clear();
  }
}
