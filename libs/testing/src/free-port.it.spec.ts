import * as net from 'node:net';
import { canConnect, getFreePort, getFreePorts, TEST_PORT_MAX, TEST_PORT_MIN, waitForPort, waitForPortClosed } from './free-port';

describe('free ports', () => {
  it('hands out distinct ports that can be listened on', async () => {
    const ports = await getFreePorts(3);
    expect(new Set(ports).size).toBe(3);
    const port = await getFreePort();
    expect(port).toBeGreaterThanOrEqual(1024);
    const server = net.createServer().listen(port, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    server.close();
  });

  it('hands out ports below the kernel ephemeral range, where no client socket or port-0 listener can take them', async () => {
    const ports = await getFreePorts(20);
    expect(ports.filter((p) => p < TEST_PORT_MIN || p > TEST_PORT_MAX)).toEqual([]);
    // asked at once (servers started together), never the same port twice, though each is still free
    const together = await Promise.all(Array.from({ length: 40 }, () => getFreePort()));
    expect(new Set([...ports, ...together]).size).toBe(60);
    expect(TEST_PORT_MAX).toBeLessThan(32_768); // Linux's default ip_local_port_range starts there
  });

  it('waitForPort waits for a late listener; waitForPortClosed for it to go', async () => {
    const port = await getFreePort();
    const server = net.createServer((s) => s.end());
    const later = setTimeout(() => server.listen(port, '127.0.0.1'), 300);
    await waitForPort('127.0.0.1', port, 5000);
    expect(await canConnect('127.0.0.1', port)).toBe(true);
    clearTimeout(later);
    server.close();
    await waitForPortClosed('127.0.0.1', port, 5000);
  });

  it('waitForPort rejects, naming the address, when nothing listens in time', async () => {
    const port = await getFreePort();
    await expect(waitForPort('127.0.0.1', port, 300)).rejects.toThrow(`127.0.0.1:${port}`);
  });
});
