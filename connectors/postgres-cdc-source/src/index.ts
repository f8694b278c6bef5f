/**
 * @millrace/postgres-cdc-source — change data capture from PostgreSQL (pgoutput) with
 * Debezium's configuration and change events. The runtime registers
 * `postgresCdcSourcePlugin`; the rest is exported for tests and tools.
 */
export { postgresCdcSourcePlugin } from './postgres-cdc.plugin';
export { PostgresCdcTask } from './postgres-cdc-task';
export { POSTGRES_CDC_CONFIG_DEF, parsePostgresCdcConfig, PostgresCdcConfigError, type PostgresCdcConfig } from './postgres-cdc-config';
export { parseLsn, formatLsn } from './lsn';
