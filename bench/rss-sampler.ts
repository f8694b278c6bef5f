import * as fs from 'node:fs';

/**
 * Samples a process's resident memory from /proc/<pid>/status (Linux only).
 *
 * Measured: VmRSS every `intervalMs` (default 100 ms) while running, and VmHWM (the
 * kernel's own high-water mark of RSS, which sees peaks between samples) at `stop()`.
 * `peakBytes` is the larger of the two. Reads that fail (process gone, no /proc) are
 * counted, not thrown: the sampler never disturbs the run it observes.
 */
export interface RssReport {
  readonly pid: number;
  /** max(largest VmRSS sample, last VmHWM); null when nothing could be read. */
  readonly peakBytes: number | null;
  readonly maxSampledRssBytes: number | null;
  readonly hwmBytes: number | null;
  /** VmRSS at stop(). */
  readonly finalRssBytes: number | null;
  readonly samples: number;
  readonly failedReads: number;
}

export class RssSampler {
  private timer: NodeJS.Timeout | undefined;
  private maxRss: number | null = null;
  private hwm: number | null = null;
  private samples = 0;
  private failedReads = 0;

  constructor(
    private readonly pid: number,
    private readonly intervalMs = 100,
  ) {}

  start(): void {
    if (this.timer !== undefined) return;
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  /** Stops sampling (idempotent) after one last read, and reports. */
  stop(): RssReport {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    const last = this.sample();
    const peakCandidates = [this.maxRss, this.hwm].filter((v): v is number => v !== null);
    return {
      pid: this.pid,
      peakBytes: peakCandidates.length === 0 ? null : Math.max(...peakCandidates),
      maxSampledRssBytes: this.maxRss,
      hwmBytes: this.hwm,
      finalRssBytes: last?.rss ?? null,
      samples: this.samples,
      failedReads: this.failedReads,
    };
  }

  private sample(): { rss: number | null } | undefined {
    let text: string;
    try {
      text = fs.readFileSync(`/proc/${this.pid}/status`, 'utf8');
    } catch {
      this.failedReads++;
      return undefined;
    }
    const rss = readKiB(text, 'VmRSS');
    const hwm = readKiB(text, 'VmHWM');
    if (rss !== null) {
      this.samples++;
      this.maxRss = Math.max(this.maxRss ?? 0, rss);
    }
    if (hwm !== null) this.hwm = Math.max(this.hwm ?? 0, hwm);
    return { rss };
  }
}

/** VmRSS of `pid` in bytes now (null: the process is gone or /proc is unreadable). */
export function readRssBytes(pid: number): number | null {
  try {
    return readKiB(fs.readFileSync(`/proc/${pid}/status`, 'utf8'), 'VmRSS');
  } catch {
    return null;
  }
}

/** The value of a "Name:   1234 kB" line of /proc/<pid>/status, in bytes. */
function readKiB(status: string, field: string): number | null {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
  return match === null ? null : Number(match[1]) * 1024;
}
