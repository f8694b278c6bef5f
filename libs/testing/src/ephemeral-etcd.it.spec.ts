import * as fs from 'node:fs';
import { Etcd3 } from 'etcd3';
import { startEtcd, type EphemeralEtcd } from './ephemeral-etcd';
import { canConnect } from './free-port';
import { isProcessAlive } from './process-alive';

jest.setTimeout(30_000);

describe('startEtcd', () => {
  let etcd: EphemeralEtcd | undefined;

  afterEach(async () => {
    await etcd?.stop();
    etcd = undefined;
  });

  it('starts a private v3 server that stores and returns keys', async () => {
    etcd = await startEtcd();
    expect(etcd.port).not.toBe(2379);
    const client = new Etcd3({ hosts: etcd.endpoint });
    try {
      await client.put('k').value('v');
      expect(await client.get('k').string()).toBe('v');
    } finally {
      client.close();
    }
  });

  it('kill() really ends the server and frees the port; stop() then removes the directory', async () => {
    etcd = await startEtcd();
    const pid = etcd.pid as number;
    await etcd.kill();
    expect(isProcessAlive(pid)).toBe(false);
    expect(await canConnect(etcd.host, etcd.port)).toBe(false);
    await etcd.stop();
    expect(fs.existsSync(etcd.dataDir)).toBe(false);
  });
});
