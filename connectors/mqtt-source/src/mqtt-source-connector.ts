import type { Connector, ConnectorContext, ParsedConfig } from '@millrace/connect-sdk';
import { parseMqttSourceConfig } from './mqtt-source-config';

/**
 * The MQTT source connector: one task. An MQTT subscription is one ordered stream per
 * client, and a second task with the same filters would receive every message again
 * (MQTT 5 shared subscriptions could split them, but a shared subscription's queued
 * messages for an offline member are broker-specific; not offered yet). `tasks.max`
 * above 1 is accepted and logged.
 */
export class MqttSourceConnector implements Connector {
  private raw: Record<string, string> = {};
  private context: ConnectorContext | null = null;

  async start(config: Readonly<Record<string, string>>, _parsed: ParsedConfig, context: ConnectorContext): Promise<void> {
    this.raw = { ...config };
    this.context = context;
    parseMqttSourceConfig(this.raw);
  }

  async taskConfigs(maxTasks: number): Promise<Record<string, string>[]> {
    if (maxTasks > 1) this.context?.logger.info(`tasks.max=${maxTasks}: the MQTT source runs one task (one session per client id)`);
    return [{ ...this.raw }];
  }

  async stop(): Promise<void> {}
}
