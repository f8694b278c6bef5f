import { Body, Controller, Get, Param, Patch, Put, Res } from '@nestjs/common';
import type { Response } from 'express';
import { HerderService } from '../herder/herder.service';
import type { ConnectorInfo } from '../herder/connector-views';
import { patchConnectorConfigDto, putConnectorConfigDto } from './connector-config.dto';
import { parseBody } from './request-body';

/**
 * A connector's config: `GET` (the string map), `PUT` (create 201 / update 200, both with
 * ConnectorInfo), `PATCH` (merge; null removes a key; 200 ConnectorInfo).
 */
@Controller('connectors/:connector/config')
export class ConnectorConfigController {
  constructor(private readonly herder: HerderService) {}

  @Get()
  get(@Param('connector') name: string): Record<string, string> {
    return this.herder.info(name).config;
  }

  @Put()
  async put(@Param('connector') name: string, @Body() body: unknown, @Res({ passthrough: true }) res: Response): Promise<ConnectorInfo> {
    const config = parseBody(putConnectorConfigDto, body);
    const { created, info } = await this.herder.put(name, config);
    res.status(created ? 201 : 200);
    return info;
  }

  @Patch()
  async patch(@Param('connector') name: string, @Body() body: unknown): Promise<ConnectorInfo> {
    return this.herder.patch(name, parseBody(patchConnectorConfigDto, body));
  }
}
