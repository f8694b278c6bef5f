import { errorMessage } from '@millrace/app-common';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CorruptBatchError } from './corrupt-batch';
import { InvalidRecordError } from './errors';
import type { StorageLogger } from './logger';

/**
 * The corrupt ranges of one partition log: stored batches that failed their checks on a
 * read or a scrub (corrupt-batch.ts). A fetch reaching one answers CORRUPT_MESSAGE from
 * its first offset; consumers never skip it silently. Getting past it is an operator's
 * explicit action: DeleteRecords beyond it, or `quarantine()` (the broker's admin HTTP
 * call), after which reads step over the range and serve every other record.
 *
 * Quarantines survive restarts in `<partition dir>/quarantined-ranges.json`:
 *
 *   { "version": 1, "ranges": [ { "fromOffset": 10360, "toOffset": 10559,
 *       "segment": "00000000000000010360.log", "position": 123, "reason": "CRC-32C mismatch",
 *       "quarantinedAtMs": 1700000000000 } ] }
 *
 * written to a temporary file and renamed into place. Detected but unquarantined ranges
 * are kept in memory only (a restart finds them again on the first read or scrub).
 */
export const QUARANTINE_FILE = 'quarantined-ranges.json';

export interface CorruptRange {
  fromOffset: number;
  toOffset: number;
  /** The segment's .log file name. */
  segment: string;
  /** Byte position of the bad batch in it. */
  position: number;
  reason: string;
  detectedAtMs: number;
  /** Set once an operator quarantined it; reads then step over it. */
  quarantinedAtMs: number | null;
}

export class CorruptRanges {
  private ranges: CorruptRange[] = [];

  constructor(
    private readonly dir: string,
    private readonly name: string,
    private readonly logger: StorageLogger,
  ) {
    this.ranges = loadQuarantined(path.join(dir, QUARANTINE_FILE), name, logger);
  }

  /** Every known range, oldest offsets first (copies). */
  list(): CorruptRange[] {
    return this.ranges.map((r) => ({ ...r })).sort((a, b) => a.fromOffset - b.fromOffset);
  }

  get count(): number {
    return this.ranges.length;
  }

  /**
   * Records a bad batch found by a read or a scrub (logged once per batch); `segmentEnd`
   * is the offset after the segment, which bounds a range whose end cannot be told.
   * Returns the range (possibly already quarantined).
   */
  report(err: CorruptBatchError, segmentEnd: number): CorruptRange {
    const segment = path.basename(err.segmentPath);
    const known = this.ranges.find((r) => r.segment === segment && r.position === err.position);
    if (known) return known;
    const toOffset = err.toOffset >= err.fromOffset ? err.toOffset : Math.max(err.fromOffset, segmentEnd - 1);
    const range: CorruptRange = {
      fromOffset: err.fromOffset,
      toOffset,
      segment,
      position: err.position,
      reason: err.reason,
      detectedAtMs: Date.now(),
      quarantinedAtMs: null,
    };
    this.ranges.push(range);
    this.logger.warn(
      `partition ${this.name}: CORRUPT batch in ${err.segmentPath} at byte ${err.position}, offsets ${range.fromOffset}..${toOffset} (${err.reason}); ` +
        `fetches from these offsets answer CORRUPT_MESSAGE until the range is deleted (DeleteRecords) or quarantined by an operator`,
    );
    return range;
  }

  /** The quarantined range containing `offset`, null if none. */
  quarantinedAt(offset: number): CorruptRange | null {
    for (const r of this.ranges) if (r.quarantinedAtMs !== null && r.fromOffset <= offset && offset <= r.toOffset) return r;
    return null;
  }

  /**
   * Operator action: quarantines the known ranges intersecting [fromOffset, toOffset]
   * (all known ranges when both are omitted), persists the list and logs it. Throws
   * InvalidRecordError when no known corrupt range matches (nothing is skipped blindly).
   */
  quarantine(fromOffset = Number.MIN_SAFE_INTEGER, toOffset = Number.MAX_SAFE_INTEGER): CorruptRange[] {
    const hit = this.ranges.filter((r) => r.toOffset >= fromOffset && r.fromOffset <= toOffset);
    if (hit.length === 0) throw new InvalidRecordError(`partition ${this.name}: no known corrupt range intersects offsets ${fromOffset}..${toOffset}`);
    const now = Date.now();
    for (const r of hit) r.quarantinedAtMs ??= now;
    this.persist();
    for (const r of hit) {
      this.logger.warn(`partition ${this.name}: operator QUARANTINED offsets ${r.fromOffset}..${r.toOffset} (${r.segment} byte ${r.position}, ${r.reason}); reads now skip them`);
    }
    return hit.map((r) => ({ ...r }));
  }

  /** Forgets ranges wholly below `logStartOffset` (DeleteRecords or retention removed them). */
  dropBelow(logStartOffset: number): void {
    const before = this.ranges.length;
    const hadQuarantined = this.ranges.some((r) => r.quarantinedAtMs !== null && r.toOffset < logStartOffset);
    this.ranges = this.ranges.filter((r) => r.toOffset >= logStartOffset);
    if (this.ranges.length !== before) {
      this.logger.info(`partition ${this.name}: ${before - this.ranges.length} corrupt range(s) below log start offset ${logStartOffset} dropped`);
    }
    if (hadQuarantined) this.persist();
  }

  private persist(): void {
    const file = path.join(this.dir, QUARANTINE_FILE);
    const quarantined = this.ranges
      .filter((r) => r.quarantinedAtMs !== null)
      .map(({ fromOffset, toOffset, segment, position, reason, quarantinedAtMs }) => ({ fromOffset, toOffset, segment, position, reason, quarantinedAtMs }));
    const tmp = `${file}.tmp`;
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.writeSync(fd, JSON.stringify({ version: 1, ranges: quarantined }));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  }
}

function loadQuarantined(file: string, name: string, logger: StorageLogger): CorruptRange[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    logger.warn(`partition ${name}: cannot read ${file}: ${errorMessage(err)}; no range is quarantined`);
    return [];
  }
  try {
    const parsed = JSON.parse(text) as { ranges?: Array<Partial<CorruptRange>> };
    const out: CorruptRange[] = [];
    for (const r of parsed.ranges ?? []) {
      if (typeof r.fromOffset !== 'number' || typeof r.toOffset !== 'number') continue;
      out.push({
        fromOffset: r.fromOffset,
        toOffset: r.toOffset,
        segment: String(r.segment ?? ''),
        position: Number(r.position ?? -1),
        reason: String(r.reason ?? ''),
        detectedAtMs: Number(r.quarantinedAtMs ?? 0),
        quarantinedAtMs: Number(r.quarantinedAtMs ?? Date.now()),
      });
    }
    if (out.length > 0) logger.info(`partition ${name}: ${out.length} quarantined corrupt range(s) loaded; reads skip them`);
    return out;
  } catch (err) {
    logger.warn(`partition ${name}: ${file} is not valid JSON (${errorMessage(err)}); no range is quarantined`);
    return [];
  }
}
