import * as net from 'node:net';

/**
 * Ports handed out for test servers: below Linux's default ephemeral range (32768-60999),
 * from which the kernel picks the local port of every outgoing connection and of every
 * listen on port 0. A port taken from that range can be given to some client's socket,
 * or to the next port-0 probe, between this check and the server's own listen (a CI run
 * lost a broker that way: EADDRINUSE, its port handed to the Postgres started beside it).
 */
export const TEST_PORT_MIN = 20_000;
export const TEST_PORT_MAX = 32_767;

/**
 * A free TCP port on `host` for a test server: a random port in
 * TEST_PORT_MIN..TEST_PORT_MAX that a listener could take just now and that this process
 * has not handed out lately (tried up to 50 times), else one the kernel picks (port 0).
 *
 * Contract: the port was free at the moment of the call; nothing reserves it afterwards,
 * so start the server that uses it promptly. Never returns a port below 1024.
 */
export async function getFreePort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = TEST_PORT_MIN + Math.floor(Math.random() * (TEST_PORT_MAX - TEST_PORT_MIN + 1));
    if (!handedOut.has(port) && (await tryListen(host, port)) !== null) return remember(port);
  }
  const port = await tryListen(host, 0);
  if (port === null) throw new Error(`no free TCP port on ${host}`);
  return remember(port);
}

/**
 * Ports this process handed out lately (the last 256): never handed out again, so two
 * servers started at once (Promise.all) cannot both get a port that is free until the
 * first of them binds it.
 */
const handedOut = new Set<number>();

function remember(port: number): number {
  handedOut.add(port);
  if (handedOut.size > 256) handedOut.delete(handedOut.values().next().value as number);
  return port;
}

/** Listens on host:port (0: the kernel picks), closes again and resolves the port; null when it is taken. */
function tryListen(host: string, port: number): Promise<number | null> {
  return new Promise<number | null>((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' || err.code === 'EACCES' ? resolve(null) : reject(err)));
    server.listen({ host, port, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('listening socket has no TCP address'));
        return;
      }
      const bound = address.port;
      server.close((err) => (err ? reject(err) : resolve(bound)));
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
