import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { brokerLaunch, startBroker } from './broker-process';
import { connectLaunch, startConnect } from './connect-process';
import { findRepoRoot } from './repo-root';

describe('broker/connect launch specs', () => {
  it('runs dist/apps/broker/src/main.js with the current node and the path-alias hook', () => {
    const spec = brokerLaunch('/repo', { dataDir: '/d', host: '127.0.0.1', kafkaPort: 19092, httpPort: 18080, nodeId: 3, env: { LOG_LEVEL: 'debug' } });
    expect(spec.command).toBe(process.execPath);
    expect(spec.args).toEqual(['-r', '/repo/scripts/register-paths.js', '/repo/dist/apps/broker/src/main.js']);
    expect(spec.env).toEqual({
      MILLRACE_DATA_DIR: '/d',
      MILLRACE_HOST: '127.0.0.1',
      MILLRACE_KAFKA_PORT: '19092',
      MILLRACE_HTTP_PORT: '18080',
      MILLRACE_NODE_ID: '3',
      MILLRACE_GROUP_INITIAL_REBALANCE_DELAY_MS: '200',
      LOG_LEVEL: 'debug',
    });
  });

  it('lets opts.env override the variables it sets', () => {
    const spec = brokerLaunch('/repo', { dataDir: '/d', host: 'h', kafkaPort: 1, httpPort: 2, nodeId: 1, env: { MILLRACE_NODE_ID: '7', MILLRACE_GROUP_INITIAL_REBALANCE_DELAY_MS: '3000' } });
    expect(spec.env.MILLRACE_NODE_ID).toBe('7');
    expect(spec.env.MILLRACE_GROUP_INITIAL_REBALANCE_DELAY_MS).toBe('3000');
  });

  it('runs dist/apps/connect/src/main.js with its environment', () => {
    const spec = connectLaunch('/repo', { dataDir: '/c', port: 18083, bootstrap: '127.0.0.1:19092', registryUrl: 'http://127.0.0.1:18080' });
    expect(spec.args).toEqual(['-r', '/repo/scripts/register-paths.js', '/repo/dist/apps/connect/src/main.js']);
    expect(spec.env).toEqual({
      MILLRACE_DATA_DIR: '/c',
      MILLRACE_CONNECT_PORT: '18083',
      MILLRACE_BOOTSTRAP: '127.0.0.1:19092',
      MILLRACE_REGISTRY_URL: 'http://127.0.0.1:18080',
    });
    expect(connectLaunch('/repo', { dataDir: '/c', port: 1, bootstrap: 'b' }).env).not.toHaveProperty('MILLRACE_REGISTRY_URL');
  });

  it('finds this repository', () => {
    expect(fs.existsSync(path.join(findRepoRoot(), 'scripts', 'register-paths.js'))).toBe(true);
  });

  it('asks for a build when the compiled app is missing', async () => {
    const emptyRepo = fs.mkdtempSync(path.join(os.tmpdir(), 'millrace-norepo-'));
    try {
      await expect(startBroker({ repoRoot: emptyRepo })).rejects.toThrow('run npm run build first');
      await expect(startConnect({ repoRoot: emptyRepo, bootstrap: 'x:1' })).rejects.toThrow('run npm run build first');
    } finally {
      fs.rmSync(emptyRepo, { recursive: true, force: true });
    }
  });
});
