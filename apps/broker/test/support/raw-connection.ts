import * as net from 'node:net';

/**
 * A raw TCP connection to the Kafka port for malformed-input tests: write arbitrary
 * bytes, read size-prefixed response frames, observe the close.
 */
export class RawConnection {
  private buffered: Buffer = Buffer.alloc(0);
  private closedFlag = false;
  private waiters: Array<() => void> = [];
  readonly closed: Promise<void>;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
      this.wake();
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => {
      socket.once('close', () => {
        this.closedFlag = true;
        this.wake();
        resolve();
      });
    });
  }

  static open(host: string, port: number, timeoutMs = 5000): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect to ${host}:${port} timed out`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.setNoDelay(true);
        resolve(new RawConnection(socket));
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  get isClosed(): boolean {
    return this.closedFlag;
  }

  /** Bytes received and not yet taken as frames. */
  get pendingBytes(): number {
    return this.buffered.length;
  }

  write(bytes: Buffer): void {
    if (!this.closedFlag) this.socket.write(bytes);
  }

  /** Half-closes: sends FIN, keeps reading. */
  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private takeFrame(): Buffer | null {
    if (this.buffered.length < 4) return null;
    const size = this.buffered.readInt32BE(0);
    if (size < 0 || this.buffered.length < 4 + size) return null;
    const frame = this.buffered.subarray(4, 4 + size);
    this.buffered = this.buffered.subarray(4 + size);
    return frame;
  }

  /**
   * Next response frame (without its size prefix); 'closed' if the connection closed
   * first, 'timeout' if nothing complete arrived within timeoutMs.
   */
  async nextFrame(timeoutMs: number): Promise<Buffer | 'closed' | 'timeout'> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const frame = this.takeFrame();
      if (frame) return frame;
      if (this.closedFlag) return 'closed';
      const left = deadline - Date.now();
      if (left <= 0) return 'timeout';
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** True if the peer closed the connection within timeoutMs. */
  async waitClosed(timeoutMs: number): Promise<boolean> {
    if (this.closedFlag) return true;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const result = await Promise.race([this.closed.then(() => true as const), timedOut]);
    clearTimeout(timer);
    return result;
  }
}
