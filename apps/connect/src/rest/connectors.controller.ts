import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ConnectRestError } from '../http/connect-rest-error';
import { HerderService } from '../herder/herder.service';
import type { ConnectorInfo, ConnectorStatusView } from '../herder/connector-views';
import { SecretsService } from '../secrets/secrets.service';
import { assertConfigSize, assertConnectorClass } from './config-checks';
import { createConnectorDto } from './create-connector.dto';
import { parseBody } from './request-body';

type Expanded = Record<string, { status?: ConnectorStatusView; info?: ConnectorInfo }>;

/**
 * The connectors collection and a connector:
 * `GET /connectors[?expand=status|info]` (names, or an object keyed by name with the
 * expansions), `POST /connectors` (201 ConnectorInfo; 409 exists; 400 invalid),
 * `GET /connectors/{c}` (ConnectorInfo), `DELETE /connectors/{c}` (204). Secret values
 * are `[hidden]` in every answer (SecretsService.maskInfo).
 */
@Controller('connectors')
export class ConnectorsController {
  constructor(
    private readonly herder: HerderService,
    private readonly secrets: SecretsService,
  ) {}

  @Get()
  list(@Query('expand') expand?: string | string[]): string[] | Expanded {
    const expansions = (Array.isArray(expand) ? expand : expand === undefined ? [] : [expand]).flatMap((e) => e.split(','));
    for (const e of expansions) if (e !== 'status' && e !== 'info') throw ConnectRestError.badRequest(`Unknown expand value ${e}: expected status or info`);
    const names = this.herder.connectorNames();
    if (expansions.length === 0) return names;
    const out: Expanded = {};
    for (const name of names) {
      out[name] = {};
      if (expansions.includes('status')) out[name].status = this.secrets.scrubStatus(this.herder.status(name));
      if (expansions.includes('info')) out[name].info = this.secrets.maskInfo(this.herder.info(name));
    }
    return out;
  }

  @Post()
  @HttpCode(201)
  async create(@Body() body: unknown): Promise<ConnectorInfo> {
    const dto = parseBody(createConnectorDto, body);
    assertConfigSize(dto.config);
    this.secrets.noteSecrets(dto.config);
    assertConnectorClass(dto.config, (c) => this.secrets.mask(c));
    const initial = dto.initial_state === 'PAUSED' ? 'PAUSED' : dto.initial_state === 'STOPPED' ? 'STOPPED' : 'STARTED';
    if (dto.config.name !== undefined && dto.config.name !== dto.name) {
      throw ConnectRestError.badRequest(`Connector name configuration (${dto.config.name}) doesn't match connector name in the URL (${dto.name})`);
    }
    return this.secrets.maskInfo(await this.herder.create(dto.name, dto.config, initial));
  }

  @Get(':connector')
  get(@Param('connector') name: string): ConnectorInfo {
    return this.secrets.maskInfo(this.herder.info(name));
  }

  @Delete(':connector')
  @HttpCode(204)
  async delete(@Param('connector') name: string): Promise<void> {
    await this.herder.delete(name);
  }
}
