/**
 * @millrace/mysql-cdc-source — change data capture from the MySQL/MariaDB binlog with
 * Debezium's configuration and change events. The runtime registers
 * `mysqlCdcSourcePlugin`; the rest is exported for tests and tools.
 */
export { mysqlCdcSourcePlugin } from './mysql-cdc.plugin';
export { MySqlCdcTask } from './mysql-cdc-task';
export { MYSQL_CDC_CONFIG_DEF, parseMySqlCdcConfig, MySqlCdcConfigError, type MySqlCdcConfig } from './mysql-cdc-config';
