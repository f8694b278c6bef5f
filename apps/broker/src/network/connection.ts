import { errorMessage } from '@millrace/app-common';
import type { Socket } from 'net';
import { FrameDecoder } from './frame-decoder';
import type { ConnectionContext, RequestDispatcher } from './request-dispatcher';

export interface ConnectionLogger {
  warn(message: string): void;
  debug(message: string): void;
}

export interface ConnectionOptions {
  maxFrameBytes: number;
  /** Requests dispatched but not yet answered before reading pauses. */
  maxInFlight: number;
  /**
   * Bytes of request frames dispatched but not yet answered before reading pauses (the
   * per-connection counterpart of Kafka's queued.max.request.bytes). A request is always
   * read when nothing is in flight, so one frame larger than this still goes through.
   */
  maxInFlightRequestBytes: number;
  /** Unsent response bytes queued on the socket before reading pauses. */
  maxQueuedResponseBytes: number;
}

/**
 * One client connection.
 *
 * Requests are dispatched as soon as their frame is complete, so pipelined requests are
 * processed concurrently, but responses are written strictly in request order (Kafka's
 * per-connection ordering guarantee). Memory per connection is bounded: reading pauses
 * while `maxInFlight` requests, or more than `maxInFlightRequestBytes` of request frames,
 * are unanswered, or the socket holds more than `maxQueuedResponseBytes` unsent; the
 * frame decoder holds at most one frame, and one socket read may dispatch the frames
 * it completes before the pause takes effect. Pausing only delays reading: the bytes
 * wait in the kernel's socket buffer and the client's send queue, nothing is dropped.
 *
 * Responses that complete in the same turn of the event loop (e.g. the produce requests
 * one group commit acknowledges) leave in one socket write: completion schedules one
 * flush with process.nextTick, which runs after the microtasks of that turn, so the
 * batching adds no latency.
 *
 * Any framing error, or a dispatch that rejects, closes this connection only.
 */
export class Connection {
  private readonly decoder: FrameDecoder;
  /** Responses in request order; null slots are requests that take no response. */
  private readonly pending: Array<{ done: boolean; response: Buffer[] | null }> = [];
  private paused = false;
  private closed = false;
  /** Bytes of request frames dispatched and not yet answered. */
  private inFlightBytes = 0;
  private flushScheduled = false;
  readonly context: ConnectionContext;

  constructor(
    private readonly socket: Socket,
    connectionId: number,
    private readonly dispatcher: RequestDispatcher,
    private readonly options: ConnectionOptions,
    private readonly logger: ConnectionLogger,
    private readonly onClose: (connection: Connection) => void,
  ) {
    this.decoder = new FrameDecoder(options.maxFrameBytes);
    this.context = {
      connectionId,
      clientHost: socket.remoteAddress ?? 'unknown',
      clientPort: socket.remotePort ?? 0,
    };
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.maybeResume());
    socket.on('error', (err) => this.logger.debug(`connection ${connectionId}: ${err.message}`));
    socket.on('close', () => {
      this.closed = true;
      this.onClose(this);
    });
  }

  get inFlight(): number {
    return this.pending.length;
  }

  close(reason?: string): void {
    if (this.closed) return;
    if (reason) this.logger.warn(`closing connection ${this.context.connectionId} from ${this.context.clientHost}:${this.context.clientPort}: ${reason}`);
    this.closed = true;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    let frames: Buffer[];
    try {
      frames = this.decoder.push(chunk);
    } catch (err) {
      this.close(errorMessage(err));
      return;
    }
    for (const frame of frames) {
      if (this.closed) return;
      this.dispatchFrame(frame);
    }
    this.maybePause();
  }

  private dispatchFrame(frame: Buffer): void {
    const slot: { done: boolean; response: Buffer[] | null } = { done: false, response: null };
    this.pending.push(slot);
    const bytes = frame.length;
    this.inFlightBytes += bytes;
    let result: Promise<Buffer[] | null>;
    try {
      result = this.dispatcher.dispatch(frame, this.context);
    } catch (err) {
      this.close(`bad request: ${errorMessage(err)}`);
      return;
    }
    result.then(
      (response) => {
        slot.done = true;
        slot.response = response;
        this.inFlightBytes -= bytes;
        this.scheduleFlush();
      },
      (err: unknown) => this.close(`bad request: ${errorMessage(err)}`),
    );
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    process.nextTick(() => {
      this.flushScheduled = false;
      this.flushInOrder();
    });
  }

  private flushInOrder(): void {
    if (this.closed) return;
    let wrote = false;
    while (this.pending.length > 0 && this.pending[0].done) {
      const { response } = this.pending.shift()!;
      if (response === null) continue;
      if (!wrote) {
        this.socket.cork();
        wrote = true;
      }
      for (const part of response) this.socket.write(part);
    }
    if (wrote) this.socket.uncork();
    this.maybeResume();
    this.maybePause();
  }

  private overLimits(): boolean {
    return (
      this.pending.length >= this.options.maxInFlight ||
      this.inFlightBytes > this.options.maxInFlightRequestBytes ||
      this.socket.writableLength > this.options.maxQueuedResponseBytes
    );
  }

  private maybePause(): void {
    if (!this.paused && this.overLimits()) {
      this.paused = true;
      this.socket.pause();
    }
  }

  private maybeResume(): void {
    if (this.paused && !this.closed && !this.overLimits()) {
      this.paused = false;
      this.socket.resume();
    }
  }
}
