import { startBroker, startConnect, type BrokerProcess, type ConnectProcess } from '@millrace/testing';
import type { Kafka } from 'kafkajs';
import { ConnectRest } from './connect-rest';
import { makeKafka } from './kafka';

/** String keys and schemaless JSON values: the converters the fake-plugin tests use. */
export const PLAIN_CONVERTERS = {
  'key.converter': 'string',
  'value.converter': 'json',
  'value.converter.schemas.enable': 'false',
} as const;

/** What a connect integration file works with. */
export interface ConnectWorkerEnv {
  readonly broker: BrokerProcess;
  readonly connect: ConnectProcess;
  readonly rest: ConnectRest;
  readonly kafka: Kafka;
}

export interface ConnectWorkerOptions {
  /** Point the worker's converters at the broker's schema registry. */
  readonly withRegistry?: boolean;
  /** Extra environment of the connect worker. */
  readonly env?: Record<string, string>;
}

/**
 * Registers the file's beforeAll/afterAll: a broker (200 ms initial rebalance delay) and
 * one connect worker with the fake test plugins, a REST client and a kafkajs client,
 * handed to `ready`; the worker and then the broker are stopped after the file's tests.
 */
export function useConnectWorker(ready: (env: ConnectWorkerEnv) => void, opts: ConnectWorkerOptions = {}): void {
  let broker: BrokerProcess | undefined;
  let connect: ConnectProcess | undefined;
  beforeAll(async () => {
    broker = await startBroker({ env: { MILLRACE_GROUP_INITIAL_REBALANCE_DELAY_MS: '200' } });
    connect = await startConnect({
      bootstrap: broker.bootstrap,
      ...(opts.withRegistry ? { registryUrl: `http://127.0.0.1:${broker.httpPort}` } : {}),
      env: { MILLRACE_CONNECT_TEST_PLUGINS: 'true', ...opts.env },
    });
    ready({ broker, connect, rest: new ConnectRest(connect.url), kafka: makeKafka(broker.bootstrap) });
  });
  afterAll(async () => {
    await connect?.stop();
    await broker?.stop();
  });
}
