import { Body, Controller, Delete, Get, Param, Put, Query, UseFilters } from '@nestjs/common';
import { parseConfigUpdate } from './config-update.dto';
import { RegistryErrorFilter } from './registry-error.filter';
import { parseFlag } from './request-params';
import { RegistrySettingsService, type ConfigView } from './registry-settings.service';

/**
 * `/config`: the global and per-subject compatibility level and `normalize` flag.
 * `GET /config/{subject}` is 404 / 40408 when the subject has no config of its own,
 * unless `defaultToGlobal=true` (the npm client relies on the 404).
 */
@Controller('config')
@UseFilters(RegistryErrorFilter)
export class ConfigController {
  constructor(private readonly registry: RegistrySettingsService) {}

  @Get()
  global(): Promise<ConfigView> {
    return this.registry.globalConfig();
  }

  @Put()
  updateGlobal(@Body() body: unknown): Promise<{ compatibility?: string; normalize?: boolean }> {
    return this.registry.updateConfig(null, parseConfigUpdate(body));
  }

  @Delete()
  deleteGlobal(): Promise<ConfigView> {
    return this.registry.deleteConfig(null);
  }

  @Get(':subject')
  subject(@Param('subject') subject: string, @Query('defaultToGlobal') defaultToGlobal: unknown): Promise<ConfigView> {
    return this.registry.subjectConfig(subject, parseFlag(defaultToGlobal));
  }

  @Put(':subject')
  updateSubject(@Param('subject') subject: string, @Body() body: unknown): Promise<{ compatibility?: string; normalize?: boolean }> {
    return this.registry.updateConfig(subject, parseConfigUpdate(body));
  }

  @Delete(':subject')
  deleteSubject(@Param('subject') subject: string): Promise<ConfigView> {
    return this.registry.deleteConfig(subject);
  }
}
