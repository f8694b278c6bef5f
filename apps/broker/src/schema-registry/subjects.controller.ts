import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Res, UseFilters } from '@nestjs/common';
import type { Response } from 'express';
import { RegistryErrorFilter } from './registry-error.filter';
import { parseFlag, parseVersionId } from './request-params';
import { parseSchemaRequest } from './schema-request.dto';
import { SchemaRegistryService, type SchemaVersionView } from './schema-registry.service';
import type { DeletedFilter } from './schema-registry.state';

function deletedFilter(deleted: unknown, deletedOnly: unknown): DeletedFilter {
  return parseFlag(deletedOnly) ? 'only' : parseFlag(deleted) ? 'include' : 'exclude';
}

/**
 * `/subjects`: subjects, their versions (register, get by number or `latest`, raw schema,
 * `referencedby`), look-up of a schema under a subject, soft and permanent deletes.
 * Query flags: `deleted`, `deletedOnly`, `subjectPrefix`, `normalize`, `permanent`.
 */
@Controller('subjects')
@UseFilters(RegistryErrorFilter)
export class SubjectsController {
  constructor(private readonly registry: SchemaRegistryService) {}

  @Get()
  list(@Query('subjectPrefix') prefix: string | undefined, @Query('deleted') deleted: unknown, @Query('deletedOnly') deletedOnly: unknown): Promise<string[]> {
    return this.registry.listSubjects(typeof prefix === 'string' && prefix !== '' ? prefix : undefined, deletedFilter(deleted, deletedOnly));
  }

  @Post(':subject')
  @HttpCode(200)
  lookup(@Param('subject') subject: string, @Body() body: unknown, @Query('normalize') normalize: unknown, @Query('deleted') deleted: unknown): Promise<SchemaVersionView> {
    return this.registry.lookup(subject, parseSchemaRequest(body), parseFlag(normalize), parseFlag(deleted));
  }

  @Delete(':subject')
  deleteSubject(@Param('subject') subject: string, @Query('permanent') permanent: unknown): Promise<number[]> {
    return this.registry.deleteSubject(subject, parseFlag(permanent));
  }

  @Get(':subject/versions')
  versions(@Param('subject') subject: string, @Query('deleted') deleted: unknown, @Query('deletedOnly') deletedOnly: unknown): Promise<number[]> {
    return this.registry.listVersions(subject, deletedFilter(deleted, deletedOnly));
  }

  @Post(':subject/versions')
  @HttpCode(200)
  register(@Param('subject') subject: string, @Body() body: unknown, @Query('normalize') normalize: unknown): Promise<{ id: number }> {
    return this.registry.register(subject, parseSchemaRequest(body), parseFlag(normalize));
  }

  @Get(':subject/versions/:version')
  version(@Param('subject') subject: string, @Param('version') version: string, @Query('deleted') deleted: unknown): Promise<SchemaVersionView> {
    return this.registry.getVersion(subject, parseVersionId(version), parseFlag(deleted));
  }

  /** The schema text itself, unescaped, as the body. */
  @Get(':subject/versions/:version/schema')
  async rawSchema(@Param('subject') subject: string, @Param('version') version: string, @Query('deleted') deleted: unknown, @Res() res: Response): Promise<void> {
    const view = await this.registry.getVersion(subject, parseVersionId(version), parseFlag(deleted));
    res.status(200).send(view.schema);
  }

  @Get(':subject/versions/:version/referencedby')
  referencedBy(@Param('subject') subject: string, @Param('version') version: string): Promise<number[]> {
    return this.registry.referencedBy(subject, parseVersionId(version));
  }

  @Delete(':subject/versions/:version')
  deleteVersion(@Param('subject') subject: string, @Param('version') version: string, @Query('permanent') permanent: unknown): Promise<number> {
    return this.registry.deleteVersion(subject, parseVersionId(version), parseFlag(permanent));
  }
}
