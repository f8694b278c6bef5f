import { Body, Controller, Get, Param, Patch, Put, Res } from '@nestjs/common';
import type { Response } from 'express';
import { HerderService } from '../herder/herder.service';
import type { ConnectorInfo } from '../herder/connector-views';
import { SecretsService } from '../secrets/secrets.service';
import { assertConfigSize, assertConnectorClass } from './config-checks';
import { patchConnectorConfigDto, putConnectorConfigDto } from './connector-config.dto';
import { parseBody } from './request-body';

/**
 * A connector's config: `GET` (the string map), `PUT` (create 201 / update 200, both with
 * ConnectorInfo), `PATCH` (merge; null removes a key; 200 ConnectorInfo). Secret values
 * are `[hidden]` in the answers; a `[hidden]` sent back keeps the stored value.
 */
@Controller('connectors/:connector/config')
export class ConnectorConfigController {
  constructor(
    private readonly herder: HerderService,
    private readonly secrets: SecretsService,
  ) {}

  @Get()
  get(@Param('connector') name: string): Record<string, string> {
    return this.secrets.maskInfo(this.herder.info(name)).config;
  }

  @Put()
  async put(@Param('connector') name: string, @Body() body: unknown, @Res({ passthrough: true }) res: Response): Promise<ConnectorInfo> {
    const config = this.secrets.restoreHidden(parseBody(putConnectorConfigDto, body), this.storedConfig(name));
    assertConfigSize(config);
    this.secrets.noteSecrets(config);
    assertConnectorClass(config, (c) => this.secrets.mask(c));
    const { created, info } = await this.herder.put(name, config);
    res.status(created ? 201 : 200);
    return this.secrets.maskInfo(info);
  }

  @Patch()
  async patch(@Param('connector') name: string, @Body() body: unknown): Promise<ConnectorInfo> {
    const stored = this.herder.info(name).config;
    const patch = this.secrets.restoreHidden(parseBody(patchConnectorConfigDto, body), stored);
    const merged: Record<string, string> = { ...stored };
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) delete merged[k];
      else merged[k] = v;
    }
    assertConfigSize(merged);
    this.secrets.noteSecrets(merged);
    assertConnectorClass(merged, (c) => this.secrets.mask(c));
    return this.secrets.maskInfo(await this.herder.patch(name, patch));
  }

  /** The stored config of a connector, or undefined when there is none. */
  private storedConfig(name: string): Record<string, string> | undefined {
    return this.herder.connectorNames().includes(name) ? this.herder.info(name).config : undefined;
  }
}
