import type { Connector, ConnectorContext, ParsedConfig } from '@millrace/connect-sdk';
import { parseBiRollupConfig } from './bi-rollup-config';
import { describeTarget } from './open-connection';

/**
 * The connector half of the rollup sink: checks the config (rollups included) and gives
 * every task the same config (the runtime's consumer group spreads the partitions).
 */
export class BiRollupSinkConnector implements Connector {
  private config: Readonly<Record<string, string>> = {};

  async start(config: Readonly<Record<string, string>>, _parsed: ParsedConfig, context: ConnectorContext): Promise<void> {
    const parsed = parseBiRollupConfig(config);
    this.config = { ...config };
    context.logger.info(`bi-rollup-sink: ${parsed.rollups.length} rollups (${parsed.rollups.map((r) => r.name).join(', ')}) into ${describeTarget(parsed)}`);
  }

  async taskConfigs(maxTasks: number): Promise<Record<string, string>[]> {
    return Array.from({ length: Math.max(1, maxTasks) }, () => ({ ...this.config }));
  }

  async stop(): Promise<void> {
    this.config = {};
  }
}
