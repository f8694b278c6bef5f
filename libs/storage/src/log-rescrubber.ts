import { errorMessage } from '@millrace/app-common';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { writeJsonAtomically } from './atomic-file';
import { checkpointKey } from './checkpoint-file';
import type { ScrubResult } from './log-scrubber';
import { scrubStoppedAt, verifySegmentRange } from './log-scrubber';
import type { StorageLogger } from './logger';
import { DEFAULT_STORAGE_IO, StorageIo } from './storage-io';
import type { UnifiedLog } from './unified-log';

/**
 * Periodic full re-verification of sealed segments (bit rot, a bad sector, a stray
 * write by another program after the bytes were verified once).
 *
 * The scrubber (log-scrubber.ts) verifies each stored byte once per segment open; what
 * it verified stays trusted until a restart, and its checkpoint (scrub-progress.ts)
 * carries that trust across restarts. The re-scrubber takes it back on a schedule: every
 * `intervalMs` (default 7 days; 0 = never) a **pass** walks every log's sealed segments
 * again, oldest first, re-reading the verified prefix of each (length, magic, offset
 * order, CRC-32C). A bad batch is reported as a corrupt range like any other (logged
 * with file and offsets, admin API, metrics, CORRUPT_MESSAGE on fetch) and the
 * segment's verified prefix is cut back to it, so reads check it again and the scrubbed
 * point of the checkpoint drops below it (a restart finds it again).
 *
 * Budget: the scrubber's runs share their byte budget with the pass (new bytes first);
 * a segment is always verified whole in one run (resuming inside a segment that
 * compaction may have rewritten meanwhile could start mid-batch), so a run can exceed
 * the budget by one segment.
 *
 * Progress survives restarts in `<dataDir>/rescrub-state.json` (written after each run
 * that moved it, atomically):
 *
 *   { "version": 1,
 *     "passStartedAtMs": 1765097000000 | null,   // null: no pass in progress
 *     "lastPassEndedAtMs": 1765097400000 | null, // null: never completed one
 *     "next": { "<topic>-<partition>": 4711 } }  // per log: base offset of the first
 *                                                 // segment not yet re-verified this pass
 *
 * A log missing from `next` during a pass starts at its first segment; a log whose
 * segments below the active one are all done is recorded with its active segment's base
 * offset and catches up on the segments sealed meanwhile in the next pass.
 */
export const RESCRUB_STATE_FILE = 'rescrub-state.json';
export const DEFAULT_RESCRUB_INTERVAL_MS = 7 * 24 * 3600 * 1000;

export interface RescrubState {
  version: 1;
  passStartedAtMs: number | null;
  lastPassEndedAtMs: number | null;
  next: Record<string, number>;
}

export interface RescrubRun extends ScrubResult {
  segments: number;
  /** Set when this run completed a pass. */
  passCompleted: boolean;
}

export interface RescrubberOptions {
  dataDir: string;
  intervalMs: number;
  logger: StorageLogger;
  time: () => number;
  io?: StorageIo;
}

export class Rescrubber {
  private state: RescrubState = { version: 1, passStartedAtMs: null, lastPassEndedAtMs: null, next: {} };
  private passStats = { segments: 0, bytes: 0, corrupt: 0 };

  constructor(private readonly opts: RescrubberOptions) {}

  get current(): Readonly<RescrubState> {
    return this.state;
  }

  /** Reads the saved progress; an unreadable file is logged and a new schedule starts now. */
  async load(): Promise<void> {
    const file = path.join(this.opts.dataDir, RESCRUB_STATE_FILE);
    let text: string;
    try {
      text = await fsp.readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.opts.logger.warn(`log dir ${this.opts.dataDir}: ignoring unreadable ${RESCRUB_STATE_FILE}: ${errorMessage(err)}`);
      this.state.lastPassEndedAtMs = this.opts.time();
      return;
    }
    const parsed = parseState(text);
    if (parsed) this.state = parsed;
    else {
      this.opts.logger.warn(`log dir ${this.opts.dataDir}: ignoring malformed ${RESCRUB_STATE_FILE}; the next re-verification pass starts on schedule from now`);
      this.state.lastPassEndedAtMs = this.opts.time();
    }
  }

  /**
   * Re-verifies sealed segments of `logs` for up to `budget` bytes (at least one
   * segment) when a pass is due or in progress. Saves progress when it moved.
   */
  async runOnce(logs: readonly UnifiedLog[], budget: number): Promise<RescrubRun> {
    const run: RescrubRun = { bytesVerified: 0, corruptFound: 0, segments: 0, passCompleted: false };
    if (!this.startPassIfDue()) return run;
    const ordered = [...logs].filter((l) => !l.isClosed).sort((a, b) => a.name.localeCompare(b.name));
    let unfinished = false;
    for (const log of ordered) {
      if (run.segments > 0 && run.bytesVerified >= budget) {
        unfinished = true;
        break;
      }
      if (!(await this.walkLog(log, budget, run))) unfinished = true;
    }
    this.passStats.segments += run.segments;
    this.passStats.bytes += run.bytesVerified;
    this.passStats.corrupt += run.corruptFound;
    if (!unfinished) this.completePass(run);
    await this.save();
    return run;
  }

  private startPassIfDue(): boolean {
    if (this.opts.intervalMs <= 0) return false;
    if (this.state.passStartedAtMs !== null) return true;
    const now = this.opts.time();
    if (this.state.lastPassEndedAtMs !== null && now - this.state.lastPassEndedAtMs < this.opts.intervalMs) return false;
    this.state = { ...this.state, passStartedAtMs: now, next: {} };
    this.passStats = { segments: 0, bytes: 0, corrupt: 0 };
    this.opts.logger.info(`log dir ${this.opts.dataDir}: starting a re-verification pass over every sealed segment`);
    return true;
  }

  /** Walks one log from its cursor; true when every sealed segment of it is done. */
  private async walkLog(log: UnifiedLog, budget: number, run: RescrubRun): Promise<boolean> {
    const key = checkpointKey(log.topic, log.partition);
    const segs = log.segments;
    let next = this.state.next[key] ?? 0;
    for (let i = 0; i + 1 < segs.length; i++) {
      const seg = segs[i];
      if (seg.baseOffset < next) continue;
      if (run.segments > 0 && run.bytesVerified >= budget) return false;
      // Not wholly verified yet, or stopped at a known corrupt batch: the scrubber's business.
      if (seg.verifiedUpTo >= seg.size && !scrubStoppedAt(seg)) {
        const bad = await verifySegmentRange(log, seg, 0, seg.verifiedUpTo, segs[i + 1].baseOffset, run);
        if (bad >= 0) seg.verifiedUpTo = Math.min(seg.verifiedUpTo, bad);
        run.segments++;
      }
      next = segs[i + 1].baseOffset;
      this.state.next[key] = next;
    }
    this.state.next[key] = Math.max(next, segs[segs.length - 1].baseOffset);
    return true;
  }

  private completePass(run: RescrubRun): void {
    const now = this.opts.time();
    const took = now - (this.state.passStartedAtMs ?? now);
    const s = this.passStats;
    this.opts.logger.info(
      `log dir ${this.opts.dataDir}: re-verification pass done in ${took} ms: ${s.segments} sealed segments, ${s.bytes} bytes, ${s.corrupt} corrupt batches found`,
    );
    this.state = { version: 1, passStartedAtMs: null, lastPassEndedAtMs: now, next: {} };
    run.passCompleted = true;
  }

  private save(): Promise<void> {
    return writeJsonAtomically(path.join(this.opts.dataDir, RESCRUB_STATE_FILE), this.state, this.opts.io ?? DEFAULT_STORAGE_IO);
  }
}

function parseState(text: string): RescrubState | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  const time = (x: unknown): x is number | null => x === null || (typeof x === 'number' && Number.isFinite(x));
  if (o.version !== 1 || !time(o.passStartedAtMs) || !time(o.lastPassEndedAtMs)) return null;
  if (typeof o.next !== 'object' || o.next === null) return null;
  const next: Record<string, number> = {};
  for (const [k, n] of Object.entries(o.next as Record<string, unknown>)) {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) return null;
    next[k] = n;
  }
  return { version: 1, passStartedAtMs: o.passStartedAtMs, lastPassEndedAtMs: o.lastPassEndedAtMs, next };
}
