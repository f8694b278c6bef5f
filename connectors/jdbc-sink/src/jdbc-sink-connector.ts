import type { Connector, ConnectorContext, ParsedConfig } from '@millrace/connect-sdk';
import { parseJdbcSinkConfig } from './jdbc-sink-config';

/**
 * The connector half of the JDBC sink. Sink work is split by the runtime's consumer
 * group (partitions are spread over the tasks), so every task gets the same config;
 * `start` only checks that the config parses (cross-field rules included).
 */
export class JdbcSinkConnector implements Connector {
  private config: Readonly<Record<string, string>> = {};

  async start(config: Readonly<Record<string, string>>, _parsed: ParsedConfig, context: ConnectorContext): Promise<void> {
    const parsed = parseJdbcSinkConfig(config);
    this.config = { ...config };
    context.logger.info(`jdbc-sink: writing to ${parsed.url.subprotocol} ${parsed.url.host}:${parsed.url.port}/${parsed.url.database} (insert.mode=${parsed.insertMode}, pk.mode=${parsed.pkMode})`);
  }

  async taskConfigs(maxTasks: number): Promise<Record<string, string>[]> {
    return Array.from({ length: Math.max(1, maxTasks) }, () => ({ ...this.config }));
  }

  async stop(): Promise<void> {
    this.config = {};
  }
}
