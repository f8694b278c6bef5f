/**
 * @millrace/testing — real servers and real Kafka clients for integration tests.
 *
 * Every server binds 127.0.0.1 on a free port with its own temporary directory (never the
 * machine's services on standard ports), is SIGKILLed if the test process exits while it
 * runs, and has its temporary directory removed by stop() (or at exit) unless kept.
 */
export { getFreePort, getFreePorts, canConnect, waitForPort, waitForPortClosed } from './free-port';
export { startPostgres, findPostgresBinDir, type EphemeralPostgres, type PostgresOptions } from './ephemeral-postgres';
export { startMariaDb, type EphemeralMariaDb, type MariaDbOptions } from './ephemeral-mariadb';
export { startEtcd, type EphemeralEtcd, type EtcdOptions } from './ephemeral-etcd';
export { startBrokerCluster, type BrokerCluster, type BrokerClusterOptions } from './broker-cluster';
export { startRedis, type EphemeralRedis, type RedisOptions } from './ephemeral-redis';
export { startMosquitto, type EphemeralMosquitto, type MosquittoListener, type MosquittoOptions } from './ephemeral-mosquitto';
export { makeTestCertificates, type TestCertificates } from './test-certificates';
export { startBroker, brokerEnv, brokerLaunch, BROKER_ENTRY, type BrokerOptions, type BrokerProcess } from './broker-process';
export { startConnect, connectEnv, connectLaunch, CONNECT_ENTRY, CONNECT_TEST_PLUGIN_MODULE, type ConnectOptions, type ConnectProcess } from './connect-process';
export type { NodeApp, LaunchSpec } from './node-app-process';
export { runKcat, runPython, KCAT, SYSTEM_PYTHON, type CliOptions } from './kafka-cli';
export { runCommand, runChecked, type RunOptions, type RunResult } from './run-command';
export { httpGetStatus } from './http-probe';
export { isProcessAlive } from './process-alive';
export { retryUntil } from './retry';
export { findRepoRoot } from './repo-root';
export { prng, seedFrom } from './seeded-random';
