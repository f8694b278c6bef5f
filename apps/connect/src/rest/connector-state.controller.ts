import { Controller, Get, HttpCode, Param, ParseBoolPipe, Post, Put, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { HerderService } from '../herder/herder.service';
import type { ConnectorStatusView } from '../herder/connector-views';
import { SecretsService } from '../secrets/secrets.service';

/**
 * A connector's state: `GET status` (ConnectorStateInfo), `POST restart` (204 without
 * flags; 202 with the status when includeTasks/onlyFailed are given), `PUT pause|resume|stop`
 * (202, applied asynchronously).
 */
@Controller('connectors/:connector')
export class ConnectorStateController {
  constructor(
    private readonly herder: HerderService,
    private readonly secrets: SecretsService,
  ) {}

  @Get('status')
  status(@Param('connector') name: string): ConnectorStatusView {
    return this.secrets.scrubStatus(this.herder.status(name));
  }

  @Post('restart')
  async restart(
    @Param('connector') name: string,
    @Query('includeTasks', new ParseBoolPipe({ optional: true })) includeTasks: boolean | undefined,
    @Query('onlyFailed', new ParseBoolPipe({ optional: true })) onlyFailed: boolean | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ConnectorStatusView | undefined> {
    const status = await this.herder.restart(name, includeTasks ?? false, onlyFailed ?? false);
    res.status(status === null ? 204 : 202);
    return status === null ? undefined : this.secrets.scrubStatus(status);
  }

  @Put('pause')
  @HttpCode(202)
  async pause(@Param('connector') name: string): Promise<void> {
    await this.herder.setTargetState(name, 'PAUSED');
  }

  @Put('resume')
  @HttpCode(202)
  async resume(@Param('connector') name: string): Promise<void> {
    await this.herder.setTargetState(name, 'STARTED');
  }

  @Put('stop')
  @HttpCode(202)
  async stop(@Param('connector') name: string): Promise<void> {
    await this.herder.setTargetState(name, 'STOPPED');
  }
}
