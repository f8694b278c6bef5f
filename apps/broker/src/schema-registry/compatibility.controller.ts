import { Body, Controller, HttpCode, Param, Post, Query, UseFilters } from '@nestjs/common';
import { RegistryErrorFilter } from './registry-error.filter';
import { parseFlag, parseVersionId } from './request-params';
import { parseSchemaRequest } from './schema-request.dto';
import { SchemaRegistryService, type CompatibilityView } from './schema-registry.service';

/**
 * `/compatibility/subjects/{subject}/versions[/{version}]`: would this schema be accepted?
 * `{"is_compatible": bool}`, plus `messages` with `verbose=true`.
 */
@Controller('compatibility/subjects/:subject/versions')
@UseFilters(RegistryErrorFilter)
export class CompatibilityController {
  constructor(private readonly registry: SchemaRegistryService) {}

  @Post()
  @HttpCode(200)
  againstAll(@Param('subject') subject: string, @Body() body: unknown, @Query('verbose') verbose: unknown, @Query('normalize') normalize: unknown): Promise<CompatibilityView> {
    return this.registry.testCompatibility(subject, undefined, parseSchemaRequest(body), parseFlag(verbose), parseFlag(normalize));
  }

  @Post(':version')
  @HttpCode(200)
  againstVersion(
    @Param('subject') subject: string,
    @Param('version') version: string,
    @Body() body: unknown,
    @Query('verbose') verbose: unknown,
    @Query('normalize') normalize: unknown,
  ): Promise<CompatibilityView> {
    return this.registry.testCompatibility(subject, parseVersionId(version), parseSchemaRequest(body), parseFlag(verbose), parseFlag(normalize));
  }
}
