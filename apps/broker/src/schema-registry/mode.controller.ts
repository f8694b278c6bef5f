import { Body, Controller, Delete, Get, Param, Put, Query, UseFilters } from '@nestjs/common';
import { parseModeUpdate } from './mode-update.dto';
import { RegistryErrorFilter } from './registry-error.filter';
import type { Mode } from './registry-records';
import { parseFlag } from './request-params';
import { RegistrySettingsService } from './registry-settings.service';

/**
 * `/mode`: READWRITE, READONLY or IMPORT, globally and per subject. `GET /mode/{subject}`
 * is 404 / 40409 without a subject-level mode unless `defaultToGlobal=true`; entering
 * IMPORT with live subjects in scope needs `force=true`.
 */
@Controller('mode')
@UseFilters(RegistryErrorFilter)
export class ModeController {
  constructor(private readonly registry: RegistrySettingsService) {}

  @Get()
  global(): Promise<{ mode: Mode }> {
    return this.registry.globalMode();
  }

  @Put()
  updateGlobal(@Body() body: unknown, @Query('force') force: unknown): Promise<{ mode: Mode }> {
    return this.registry.updateMode(null, parseModeUpdate(body), parseFlag(force));
  }

  @Get(':subject')
  subject(@Param('subject') subject: string, @Query('defaultToGlobal') defaultToGlobal: unknown): Promise<{ mode: Mode }> {
    return this.registry.subjectMode(subject, parseFlag(defaultToGlobal));
  }

  @Put(':subject')
  updateSubject(@Param('subject') subject: string, @Body() body: unknown, @Query('force') force: unknown): Promise<{ mode: Mode }> {
    return this.registry.updateMode(subject, parseModeUpdate(body), parseFlag(force));
  }

  @Delete(':subject')
  deleteSubject(@Param('subject') subject: string): Promise<{ mode: Mode }> {
    return this.registry.deleteSubjectMode(subject);
  }
}
