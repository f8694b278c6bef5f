import { startBroker, type BrokerProcess } from '@millrace/testing';
import { RegistryHttp } from './registry-http';

/** What a registry integration file works with. */
export interface RegistryTestEnv {
  readonly broker: BrokerProcess;
  /** The registry API on the broker's HTTP port. */
  readonly sr: RegistryHttp;
}

/**
 * Registers the file's beforeAll/afterAll: a broker with default settings and a
 * RegistryHttp client of its registry, handed to `ready`; the broker stops after the
 * file's tests.
 */
export function useRegistryBroker(ready: (env: RegistryTestEnv) => void): void {
  let broker: BrokerProcess | undefined;
  beforeAll(async () => {
    broker = await startBroker();
    ready({ broker, sr: new RegistryHttp(`http://${broker.host}:${broker.httpPort}`) });
  });
  afterAll(async () => {
    await broker?.stop();
  });
}
