import type { Connector, ConnectorContext, ParsedConfig } from '@millrace/connect-sdk';
import { parseOpcUaSourceConfig } from './opcua-source-config';

/**
 * The OPC UA source connector: one task, one session and one subscription per server
 * (a second task would monitor the same variables again). `tasks.max` above 1 is
 * accepted and logged.
 */
export class OpcUaSourceConnector implements Connector {
  private raw: Record<string, string> = {};
  private context: ConnectorContext | null = null;

  async start(config: Readonly<Record<string, string>>, _parsed: ParsedConfig, context: ConnectorContext): Promise<void> {
    this.raw = { ...config };
    this.context = context;
    parseOpcUaSourceConfig(this.raw);
  }

  async taskConfigs(maxTasks: number): Promise<Record<string, string>[]> {
    if (maxTasks > 1) this.context?.logger.info(`tasks.max=${maxTasks}: the OPC UA source runs one task (one subscription per server)`);
    return [{ ...this.raw }];
  }

  async stop(): Promise<void> {}
}
