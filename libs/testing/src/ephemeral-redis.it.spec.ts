import * as fs from 'node:fs';
import Redis from 'ioredis';
import { startRedis, type EphemeralRedis } from './ephemeral-redis';
import { canConnect } from './free-port';
import { isProcessAlive } from './process-alive';

jest.setTimeout(30_000);

describe('startRedis', () => {
  let redis: EphemeralRedis | undefined;

  afterEach(async () => {
    await redis?.stop();
    redis = undefined;
  });

  it('starts a private server that stores and returns values', async () => {
    redis = await startRedis();
    expect(redis.port).not.toBe(6379);
    const client = new Redis(redis.url);
    try {
      await client.set('k', 'v');
      expect(await client.get('k')).toBe('v');
      expect(await client.config('GET', 'save')).toEqual(['save', '']);
    } finally {
      client.disconnect();
    }
  });

  it('kill() really ends the server and frees the port; stop() then removes the directory', async () => {
    redis = await startRedis();
    const pid = redis.pid as number;
    await redis.kill();
    expect(isProcessAlive(pid)).toBe(false);
    expect(await canConnect(redis.host, redis.port)).toBe(false);
    await redis.stop();
    expect(fs.existsSync(redis.dataDir)).toBe(false);
  });
});
