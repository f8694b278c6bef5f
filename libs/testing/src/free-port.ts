import * as net from 'node:net';

/**
 * Asks the kernel for a free TCP port on 127.0.0.1: listens on port 0, reads the port the
 * kernel picked and closes the listener before resolving.
 *
 * Contract: the port was free at the moment of the call; nothing reserves it afterwards,
 * so start the server that uses it promptly. Never returns a port below 1024.
 */
export function getFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('listening socket has no TCP address'));
        return;
      }
      const { port } = address;
      server.close((err) => (err ? reject(err) : resolve(port)));
    });
  });
}

/** Resolves `count` distinct free ports on `host` (see {@link getFreePort}). */
export async function getFreePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await getFreePort(host));
  return [...ports];
}

/** Resolves true when a TCP connection to host:port succeeds within `attemptMs`. */
export function canConnect(host: string, port: number, attemptMs = 1000): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean): void => {
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(attemptMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Polls until a TCP connection to host:port succeeds. Rejects with an error naming the
 * address once `timeoutMs` has elapsed without a successful connection.
 */
export async function waitForPort(host: string, port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    if (await canConnect(host, port, Math.max(100, Math.min(1000, deadline - Date.now())))) return;
    if (Date.now() >= deadline) throw new Error(`nothing accepted TCP connections on ${host}:${port} within ${timeoutMs} ms`);
    await delay(50);
  }
}

/**
 * Polls until a TCP connection to host:port is refused (nothing listens any more).
 * Rejects once `timeoutMs` has elapsed while something still accepts connections.
 */
export async function waitForPortClosed(host: string, port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (await canConnect(host, port, 500)) {
    if (Date.now() >= deadline) throw new Error(`${host}:${port} still accepts TCP connections after ${timeoutMs} ms`);
    await delay(50);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
