import { BadRequestException, Controller, Get, Injectable, Module, NotFoundException, Param, Query, UseFilters } from '@nestjs/common';
import avro from 'avsc';
import { decodeBatches, isControl, type KafkaRecord } from '@millrace/protocol';
import { PartitionModule } from '../partition/partition.module';
import { ReplicaManager } from '../partition/replica-manager';
import { SchemaRegistryModule } from '../schema-registry/schema-registry.module';
import { SchemaRegistryService } from '../schema-registry/schema-registry.service';
import { AdminErrorFilter } from './admin-error.filter';

/**
 * The message browser of the admin API (the console's topic pages, the DLQ browser):
 *
 *   GET /admin/topics/{t}/partitions/{p}/records?offset=N|timestamp=ms&limit=M
 *
 * answers up to `limit` (default 50, at most 500) records from `offset` (default: the
 * last `limit` below the high watermark), or from the first record at or after
 * `timestamp`, never past the high watermark; control batches (transaction markers)
 * are left out. Keys, values and header values are shown as
 *   { encoding: 'avro', schemaId, json }  — Confluent wire format with a schema this
 *                                          registry knows (decoded with it);
 *   { encoding: 'utf8', text }            — valid UTF-8 without control characters;
 *   { encoding: 'base64', base64 }        — anything else;
 * with `size` in bytes; null stays null.
 */
export interface ShownBytes {
  encoding: 'avro' | 'utf8' | 'base64';
  size: number;
  schemaId?: number;
  json?: unknown;
  text?: string;
  base64?: string;
}

const MAX_LIMIT = 500;
const READ_BYTES = 1 << 20;

@Injectable()
export class MessageBrowser {
  private readonly types = new Map<number, avro.Type | null>();

  constructor(
    private readonly replicas: ReplicaManager,
    private readonly registry: SchemaRegistryService,
  ) {}

  async records(topic: string, partition: number, from: { offset?: number; timestamp?: number }, limit: number): Promise<object> {
    const p = this.replicas.getPartition(topic, partition);
    if (!p) throw new NotFoundException(`partition ${topic}-${partition} is not hosted by this broker`);
    const hw = p.highWatermark;
    let offset = from.offset ?? Math.max(p.logStartOffset, hw - limit);
    if (from.timestamp !== undefined) offset = (await p.log.offsetForTimestamp(from.timestamp))?.offset ?? hw;
    offset = Math.max(offset, p.logStartOffset);
    const out: object[] = [];
    let next = offset;
    while (out.length < limit && next < hw) {
      const read = await p.log.read(next, READ_BYTES, { maxOffset: hw });
      if (read.records.length === 0) break;
      for (const batch of decodeBatches(read.records, { verifyCrc: false })) {
        next = Math.max(next, batch.header.baseOffset + batch.header.lastOffsetDelta + 1);
        if (isControl(batch.header.attributes)) continue;
        for (const r of batch.records) if (r.offset >= offset && out.length < limit) out.push(await this.show(r));
      }
    }
    return { topic, partition, logStartOffset: p.logStartOffset, highWatermark: hw, from: offset, next, records: out };
  }

  private async show(r: KafkaRecord): Promise<object> {
    return {
      offset: r.offset,
      timestamp: r.timestamp,
      key: await this.bytes(r.key),
      value: await this.bytes(r.value),
      headers: await Promise.all(r.headers.map(async (h) => ({ key: h.key, value: await this.bytes(h.value) }))),
    };
  }

  private async bytes(b: Buffer | null): Promise<ShownBytes | null> {
    if (b === null) return null;
    if (b.length > 5 && b[0] === 0) {
      const id = b.readInt32BE(1);
      const type = await this.typeOf(id);
      if (type) {
        try {
          return { encoding: 'avro', size: b.length, schemaId: id, json: JSON.parse(JSON.stringify(type.fromBuffer(b.subarray(5)), jsonSafe)) as unknown };
        } catch {
          // not Avro after all: shown as bytes below
        }
      }
    }
    const text = b.toString('utf8');
    if (Buffer.from(text, 'utf8').equals(b) && !hasControlCharacters(b)) return { encoding: 'utf8', size: b.length, text };
    return { encoding: 'base64', size: b.length, base64: b.toString('base64') };
  }

  private async typeOf(id: number): Promise<avro.Type | null> {
    if (this.types.has(id)) return this.types.get(id)!;
    let type: avro.Type | null = null;
    try {
      const s = await this.registry.schemaById(id, false);
      if (!('schemaType' in s) && !('references' in s)) type = avro.Type.forSchema(JSON.parse(s.schema) as avro.Schema, { wrapUnions: false });
    } catch {
      type = null; // unknown id, or a schema with references: shown as bytes
    }
    if (this.types.size < 1000) this.types.set(id, type);
    return type;
  }
}

/** Bytes below 0x20 other than tab, LF, VT, FF, CR, or DEL: not text a person reads. */
function hasControlCharacters(b: Buffer): boolean {
  for (const c of b) if ((c < 0x20 && (c < 0x09 || c > 0x0d)) || c === 0x7f) return true;
  return false;
}

/** JSON for decoded Avro: bytes as base64, longs beyond 2^53 as strings. */
function jsonSafe(_k: string, v: unknown): unknown {
  if (Buffer.isBuffer(v)) return v.toString('base64');
  if (v && typeof v === 'object' && (v as { type?: string }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data)) return Buffer.from((v as { data: number[] }).data).toString('base64');
  if (typeof v === 'bigint') return v.toString();
  return v;
}

@Controller('admin/topics')
@UseFilters(AdminErrorFilter)
export class MessageBrowserController {
  constructor(private readonly browser: MessageBrowser) {}

  @Get(':name/partitions/:partition/records')
  records(@Param('name') name: string, @Param('partition') partition: string, @Query('offset') offset?: string, @Query('timestamp') timestamp?: string, @Query('limit') limit?: string): Promise<object> {
    const int = (v: string | undefined, what: string, min: number): number | undefined => {
      if (v === undefined || v === '') return undefined;
      const n = Number(v);
      if (!Number.isSafeInteger(n) || n < min) throw new BadRequestException(`${what} must be a whole number >= ${min} (got ${JSON.stringify(v)})`);
      return n;
    };
    const p = int(partition, 'partition', 0)!;
    const n = Math.min(int(limit, 'limit', 1) ?? 50, MAX_LIMIT);
    if (offset !== undefined && timestamp !== undefined) throw new BadRequestException('give offset or timestamp, not both');
    return this.browser.records(name, p, { offset: int(offset, 'offset', 0), timestamp: int(timestamp, 'timestamp', 0) }, n);
  }
}

@Module({ imports: [PartitionModule, SchemaRegistryModule], controllers: [MessageBrowserController], providers: [MessageBrowser] })
export class MessageBrowserModule {}
