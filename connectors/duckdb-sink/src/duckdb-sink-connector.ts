import type { Connector, ConnectorContext, ParsedConfig } from '@millrace/connect-sdk';
import { databaseFile, parseDuckDbSinkConfig } from './duckdb-sink-config';

/**
 * The connector half of the DuckDB sink. DuckDB allows one writer per database file, so
 * the connector always makes ONE task config, whatever tasks.max says (Kafka Connect lets
 * a connector return fewer configs than tasks.max); that task reads every partition of
 * the topics. `start` only checks that the config parses.
 */
export class DuckDbSinkConnector implements Connector {
  private config: Readonly<Record<string, string>> = {};

  async start(config: Readonly<Record<string, string>>, _parsed: ParsedConfig, context: ConnectorContext): Promise<void> {
    const parsed = parseDuckDbSinkConfig(config);
    this.config = { ...config };
    context.logger.info(`duckdb-sink: writing to ${databaseFile(parsed, context.name)} (insert.mode=${parsed.insertMode}, pk.mode=${parsed.pkMode}); one task, DuckDB has one writer per file`);
  }

  async taskConfigs(_maxTasks: number): Promise<Record<string, string>[]> {
    return [{ ...this.config }];
  }

  async stop(): Promise<void> {
    this.config = {};
  }
}
