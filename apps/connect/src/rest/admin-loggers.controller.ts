import { Body, Controller, Get, Param, Put, Query } from '@nestjs/common';
import { LOG_LEVELS, LogLevels, parseLogLevel, type LoggerLevel } from '@millrace/app-common';
import { ConnectRestError } from '../http/connect-rest-error';

/**
 * Kafka Connect's runtime log levels (KIP-495): `GET /admin/loggers` (name -> {level,
 * last_modified}), `GET /admin/loggers/{name}` (404 for an unknown logger), `PUT
 * /admin/loggers/{name}` with `{"level": "DEBUG"}` (200 with the names of the loggers it
 * set). Logger names are the worker's components (`worker`, `herder`, `rest`...) and
 * `root`; a level set on `root` applies to all. Only `scope=worker` (the default) is
 * supported: the level changes on the worker that answers.
 */
@Controller('admin/loggers')
export class AdminLoggersController {
  constructor(private readonly levels: LogLevels) {}

  @Get()
  list(): Record<string, LoggerLevel> {
    return this.levels.list();
  }

  @Get(':logger')
  get(@Param('logger') name: string): LoggerLevel {
    const level = this.levels.get(name);
    if (!level) throw ConnectRestError.notFound(`Logger ${name} not found.`);
    return level;
  }

  @Put(':logger')
  set(@Param('logger') name: string, @Body() body: unknown, @Query('scope') scope?: string): string[] {
    if (scope !== undefined && scope.toLowerCase() !== 'worker') {
      throw ConnectRestError.badRequest(`Unsupported scope ${scope}: only scope=worker is supported (set the level on each worker)`);
    }
    const given = typeof body === 'object' && body !== null ? (body as { level?: unknown }).level : undefined;
    if (given === undefined || given === null) throw ConnectRestError.badRequest("Desired 'level' parameter was not specified in the request.");
    const level = parseLogLevel(given);
    if (!level) throw ConnectRestError.badRequest(`Invalid log level '${String(given)}': expected one of ${LOG_LEVELS.join(', ')}.`);
    return this.levels.set(name, level);
  }
}
