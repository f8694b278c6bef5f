import { BadRequestException, Body, Controller, Get, NotFoundException, Param, Post, UseFilters } from '@nestjs/common';
import { LogManager, StorageError, type CorruptRange } from '@millrace/storage';
import { z } from 'zod';
import { ReplicaManager } from '../partition/replica-manager';
import { AdminErrorFilter } from './admin-error.filter';
import { describeIssues } from './create-topic.dto';
import { StorageHealthService, type StorageStatus } from './storage-health.service';

const QuarantineDto = z
  .object({
    fromOffset: z.number().int().min(0).optional(),
    toOffset: z.number().int().min(0).optional(),
  })
  .strict();

/**
 * Operator actions on storage (each logged by the storage layer):
 *   GET  /admin/storage                                  offline partitions, corrupt ranges, free space
 *   POST /admin/storage/probe                            brings back partitions offline after a write
 *                                                        failure when space is available again
 *   POST /admin/topics/{t}/partitions/{p}/quarantine     body {"fromOffset"?, "toOffset"?}: quarantines
 *                                                        the known corrupt ranges intersecting it (all
 *                                                        when omitted); reads then skip them
 */
@Controller('admin')
@UseFilters(AdminErrorFilter)
export class StorageAdminController {
  constructor(
    private readonly health: StorageHealthService,
    private readonly replicas: ReplicaManager,
    private readonly logs: LogManager,
  ) {}

  @Get('storage')
  async storage(): Promise<StorageStatus & { corruptRanges: Array<{ topic: string; partition: number } & CorruptRange> }> {
    const status = await this.health.status();
    return { ...status, corruptRanges: this.health.corruptRanges().map((r) => ({ topic: r.topic, partition: r.partition, ...r.range })) };
  }

  @Post('storage/probe')
  async probe(): Promise<{ broughtOnline: string[]; stillOffline: string[] }> {
    const broughtOnline = await this.logs.probeOfflineLogs();
    return { broughtOnline, stillOffline: this.health.offlinePartitions().map((p) => `${p.topic}-${p.partition}`) };
  }

  @Post('topics/:name/partitions/:partition/quarantine')
  quarantine(@Param('name') name: string, @Param('partition') partition: string, @Body() body: unknown): { quarantined: CorruptRange[] } {
    const index = Number(partition);
    if (!Number.isInteger(index) || index < 0) throw new BadRequestException(`partition must be a non-negative integer, not ${partition}`);
    const parsed = QuarantineDto.safeParse(body ?? {});
    if (!parsed.success) throw new BadRequestException(describeIssues(parsed.error));
    const p = this.replicas.getPartition(name, index);
    if (!p) throw new NotFoundException(`partition ${name}-${index} does not exist`);
    try {
      return { quarantined: p.log.corruptRanges.quarantine(parsed.data.fromOffset, parsed.data.toOffset) };
    } catch (err) {
      if (err instanceof StorageError) throw new NotFoundException(err.message);
      throw err;
    }
  }
}
