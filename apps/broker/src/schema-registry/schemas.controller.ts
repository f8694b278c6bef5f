import { Controller, Get, Param, Query, Res, UseFilters } from '@nestjs/common';
import type { Response } from 'express';
import { RegistryErrorFilter } from './registry-error.filter';
import { parseCount, parseFlag, parseSchemaId } from './request-params';
import { SchemaRegistryService, type SchemaByIdView, type SchemaVersionView } from './schema-registry.service';

/** Schema types this registry accepts; JSON Schema and Protobuf registrations get 42201. */
const SCHEMA_TYPES = ['AVRO'];

/**
 * `/schemas`: schemas by id (with `fetchMaxId`), the raw text, the subjects and
 * (subject, version) pairs carrying an id, the supported types, and a paged listing.
 */
@Controller('schemas')
@UseFilters(RegistryErrorFilter)
export class SchemasController {
  constructor(private readonly registry: SchemaRegistryService) {}

  @Get()
  list(
    @Query('subjectPrefix') prefix: unknown,
    @Query('deleted') deleted: unknown,
    @Query('latestOnly') latestOnly: unknown,
    @Query('offset') offset: unknown,
    @Query('limit') limit: unknown,
  ): Promise<SchemaVersionView[]> {
    return this.registry.listSchemas(typeof prefix === 'string' && prefix !== '' ? prefix : undefined, parseFlag(deleted), parseFlag(latestOnly), parseCount(offset, 0), parseCount(limit, -1));
  }

  @Get('types')
  types(): string[] {
    return SCHEMA_TYPES;
  }

  @Get('ids/:id')
  byId(@Param('id') id: string, @Query('fetchMaxId') fetchMaxId: unknown): Promise<SchemaByIdView> {
    return this.registry.schemaById(parseSchemaId(id), parseFlag(fetchMaxId));
  }

  /** The schema text itself, unescaped, as the body. */
  @Get('ids/:id/schema')
  async rawById(@Param('id') id: string, @Res() res: Response): Promise<void> {
    const view = await this.registry.schemaById(parseSchemaId(id), false);
    res.status(200).send(view.schema);
  }

  @Get('ids/:id/subjects')
  subjects(@Param('id') id: string, @Query('deleted') deleted: unknown, @Query('subject') subject: unknown): Promise<string[]> {
    return this.registry.subjectsOfId(parseSchemaId(id), parseFlag(deleted), typeof subject === 'string' && subject !== '' ? subject : undefined);
  }

  @Get('ids/:id/versions')
  versions(@Param('id') id: string, @Query('deleted') deleted: unknown, @Query('subject') subject: unknown): Promise<{ subject: string; version: number }[]> {
    return this.registry.versionsOfId(parseSchemaId(id), parseFlag(deleted), typeof subject === 'string' && subject !== '' ? subject : undefined);
  }
}
