/**
 * Time buckets of the group-by: `hour(col)`, `day(col)` and `shift(col)`, in a time zone
 * (IANA name such as Europe/Berlin, or UTC) so that a plant's day and shifts follow its
 * wall clock, summer time included.
 *
 *   hour(col)   'YYYY-MM-DD HH:00:00' (local wall time; a TIMESTAMP column)
 *   day(col)    'YYYY-MM-DD' (local date; a DATE column)
 *   shift(col)  'YYYY-MM-DD <name>': the shift the moment falls in, dated by the day the
 *               shift started (a night shift 22:00-06:00 belongs to the evening's date)
 *
 * A shift calendar is a list `name@HH:MM` of shift starts in a day (each shift lasts
 * until the next start; the last one until the first start of the next day), e.g.
 * `early@06:00,late@14:00,night@22:00`.
 *
 * Contract: pure but for a cache of zone offsets; `parseShiftCalendar` throws
 * BucketConfigError naming what is wrong.
 */
export class BucketConfigError extends Error {
  override readonly name = 'BucketConfigError';
}

export interface Shift {
  readonly name: string;
  /** Minutes after local midnight. */
  readonly start: number;
}

export function parseShiftCalendar(text: string): Shift[] {
  const shifts: Shift[] = [];
  for (const item of text.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const m = /^([A-Za-z0-9_-]{1,32})@([01]?\d|2[0-3]):([0-5]\d)$/.exec(item);
    if (!m) throw new BucketConfigError(`shift "${item}" must be name@HH:MM (name: letters, digits, _ or -; e.g. early@06:00)`);
    shifts.push({ name: m[1], start: Number(m[2]) * 60 + Number(m[3]) });
  }
  if (shifts.length === 0) throw new BucketConfigError('the shift calendar is empty: give shifts as name@HH:MM,... (e.g. early@06:00,late@14:00,night@22:00)');
  shifts.sort((a, b) => a.start - b.start);
  for (let i = 1; i < shifts.length; i++) {
    if (shifts[i].start === shifts[i - 1].start) throw new BucketConfigError(`shifts ${shifts[i - 1].name} and ${shifts[i].name} start at the same time`);
  }
  if (new Set(shifts.map((s) => s.name)).size !== shifts.length) throw new BucketConfigError('shift names must differ');
  return shifts;
}

/** Checks a time zone name; null when usable, else a message. */
export function timeZoneProblem(zone: string): string | null {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return null;
  } catch {
    return `unknown time zone "${zone}" (use an IANA name such as Europe/Berlin, or UTC)`;
  }
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
const QUARTER_HOUR = 900_000;

export class TimeBuckets {
  private readonly format: Intl.DateTimeFormat | null;
  private readonly offsets = new Map<number, number>();

  constructor(
    readonly zone: string,
    private readonly shifts: readonly Shift[] | null,
  ) {
    this.format = zone === 'UTC' ? null : new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' });
  }

  hour(ms: number): string {
    const local = new Date(ms + this.offset(ms));
    return `${ymd(local)} ${pad(local.getUTCHours())}:00:00`;
  }

  day(ms: number): string {
    return ymd(new Date(ms + this.offset(ms)));
  }

  shift(ms: number): string {
    const shifts = this.shifts;
    if (!shifts) throw new BucketConfigError('shift() needs a shift calendar (shift.calendar)');
    const local = new Date(ms + this.offset(ms));
    const minute = local.getUTCHours() * 60 + local.getUTCMinutes();
    let current: Shift | undefined;
    for (const s of shifts) if (s.start <= minute) current = s;
    if (current) return `${ymd(local)} ${current.name}`;
    // before the first start of the day: the previous day's last shift
    return `${ymd(new Date(local.getTime() - 86_400_000))} ${shifts[shifts.length - 1].name}`;
  }

  /** Local time minus UTC in ms at `ms` (cached per quarter hour: zones change offsets on quarter hours). */
  private offset(ms: number): number {
    if (this.format === null) return 0;
    const slot = Math.floor(ms / QUARTER_HOUR);
    let offset = this.offsets.get(slot);
    if (offset === undefined) {
      const at = slot * QUARTER_HOUR;
      const parts: Record<string, number> = {};
      for (const p of this.format.formatToParts(new Date(at))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
      offset = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute) - at;
      if (this.offsets.size > 10_000) this.offsets.clear();
      this.offsets.set(slot, offset);
    }
    return offset;
  }
}

function ymd(d: Date): string {
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}
