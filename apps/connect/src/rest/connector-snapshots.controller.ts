import { randomUUID } from 'node:crypto';
import { Body, Controller, Delete, HttpCode, Param, Post } from '@nestjs/common';
import { z } from 'zod';
import { ConnectRestError } from '../http/connect-rest-error';
import { PluginRegistry } from '../plugins/plugin-registry';
import { SecretsService } from '../secrets/secrets.service';
import { ConfigStore } from '../storage/config-store';
import { parseBody } from './request-body';

/** Body of `POST /connectors/{c}/snapshots`: Debezium's execute-snapshot signal data. */
const executeSnapshotDto = z.object({
  'data-collections': z.array(z.string().min(1, 'must be a table name (schema.table)')).min(1, 'must name at least one table'),
  type: z.enum(['incremental', 'INCREMENTAL']).optional(),
  'additional-conditions': z.array(z.object({ 'data-collection': z.string().min(1), filter: z.string().min(1) })).optional(),
});

/** Body of `DELETE /connectors/{c}/snapshots` (optional): the tables whose incremental snapshot stops; none = all. */
const stopSnapshotDto = z.object({
  'data-collections': z.array(z.string().min(1)).optional(),
  type: z.enum(['incremental', 'INCREMENTAL']).optional(),
});

/**
 * Incremental snapshots on demand (Debezium's `execute-snapshot` / `stop-snapshot`
 * signals, sent over REST): `POST` starts one for the tables in `data-collections`,
 * `DELETE` stops it (for the listed tables, else all). 202 `{"id", "message"}` once the
 * signal is delivered to the connector's source (the plugin's `sendSignal`: for the
 * Postgres CDC source, written into the database's WAL, where the task reads it in
 * order); progress shows in the task's log and status. 400 for a bad body, a connector
 * whose plugin takes no signals, or a signal the plugin refuses (the message names the
 * field); 502 when the source database cannot be reached.
 */
@Controller('connectors/:connector/snapshots')
export class ConnectorSnapshotsController {
  constructor(
    private readonly configStore: ConfigStore,
    private readonly plugins: PluginRegistry,
    private readonly secrets: SecretsService,
  ) {}

  @Post()
  @HttpCode(202)
  async execute(@Param('connector') name: string, @Body() body: unknown): Promise<{ id: string; message: string }> {
    const dto = parseBody(executeSnapshotDto, body);
    const data = { 'data-collections': dto['data-collections'], type: 'incremental', ...(dto['additional-conditions'] ? { 'additional-conditions': dto['additional-conditions'] } : {}) };
    const id = await this.send(name, 'execute-snapshot', data);
    return { id, message: `Incremental snapshot of ${dto['data-collections'].join(', ')} requested (signal ${id})` };
  }

  @Delete()
  @HttpCode(202)
  async stop(@Param('connector') name: string, @Body() body: unknown): Promise<{ id: string; message: string }> {
    const dto = parseBody(stopSnapshotDto, body ?? {});
    const id = await this.send(name, 'stop-snapshot', { ...(dto['data-collections'] ? { 'data-collections': dto['data-collections'] } : {}), type: 'incremental' });
    return { id, message: `Stop of the incremental snapshot requested (signal ${id})` };
  }

  private async send(name: string, type: string, data: Record<string, unknown>): Promise<string> {
    const snap = this.configStore.connector(name);
    if (!snap) throw ConnectRestError.connectorNotFound(name);
    const plugin = this.plugins.find(snap.config['connector.class'] ?? '');
    if (!plugin?.sendSignal) throw ConnectRestError.badRequest(`Connector ${name} (${snap.config['connector.class']}) does not take snapshot signals`);
    const id = randomUUID();
    try {
      await plugin.sendSignal(this.secrets.resolve(snap.config, plugin), { id, type, data: JSON.stringify(data) });
    } catch (err) {
      const e = err as Error;
      if (e.name === 'SignalError' || /ConfigError$/.test(e.name)) throw ConnectRestError.badRequest(e.message);
      throw new ConnectRestError(502, `Could not deliver the signal to connector ${name}'s source: ${e.message}`);
    }
    return id;
  }
}
