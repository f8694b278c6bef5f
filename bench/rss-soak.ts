import type { BenchConfig } from './bench-config';
import { recordsFor } from './bench-config';
import type { LibrdkafkaPhases, ProduceResult } from './librdkafka-phases';
import { readRssBytes } from './rss-sampler';

/**
 * The RSS soak of `npm run bench -- --soak-minutes=M`: librdkafka produces `soak.recordBytes`
 * records at full speed (linger.ms as the matrix, acks 1, 6 partitions) for M minutes
 * while the broker's VmRSS is read every `soak.sampleSeconds`. The topic keeps at most
 * SOAK_RETENTION_BYTES per partition (segments of SOAK_SEGMENT_BYTES), so the run
 * measures the broker's memory under a steady state, not the disk filling up; a broker
 * started by the bench checks retention every 5 s (see run.ts).
 *
 * Reported: the curve (seconds since the start, RSS MiB), the peak, and the growth:
 * the least-squares slope in MiB per minute over the curve after its first fifth (start-
 * up and heap sizing excluded), and the mean of the last fifth minus the mean of the
 * second fifth. Flat memory shows as a slope near 0.
 *
 * Contract: never throws for a failing phase (the failure is in `problems`).
 */
export interface SoakOutcome {
  readonly topic: string;
  readonly produce: ProduceResult | null;
  readonly curve: readonly { readonly seconds: number; readonly rssMiB: number }[];
  readonly peakMiB: number | null;
  readonly slopeMiBPerMinute: number | null;
  readonly lastFifthMinusSecondFifthMiB: number | null;
  readonly problems: readonly string[];
}

const SOAK_PARTITIONS = 6;
const SOAK_RETENTION_BYTES = 256 * 1024 * 1024;
const SOAK_SEGMENT_BYTES = 64 * 1024 * 1024;
const MIB = 1024 * 1024;

export async function runSoak(
  client: LibrdkafkaPhases,
  config: BenchConfig,
  topic: string,
  brokerPid: number,
  log: (line: string) => void,
): Promise<SoakOutcome> {
  const { minutes, recordBytes, sampleSeconds } = config.soak;
  const problems: string[] = [];
  const created = await client.createTopic(topic, SOAK_PARTITIONS, config.phaseTimeoutMs, {
    'retention.bytes': String(SOAK_RETENTION_BYTES),
    'segment.bytes': String(SOAK_SEGMENT_BYTES),
  });
  if (!created.ok) return { topic, produce: null, curve: [], peakMiB: null, slopeMiBPerMinute: null, lastFifthMinusSecondFifthMiB: null, problems: [`create ${topic}: ${created.error ?? 'failed'}`] };

  const curve: { seconds: number; rssMiB: number }[] = [];
  const started = Date.now();
  const sample = (): void => {
    const rss = readRssBytes(brokerPid);
    if (rss !== null) curve.push({ seconds: (Date.now() - started) / 1000, rssMiB: rss / MIB });
  };
  sample();
  const timer = setInterval(() => {
    sample();
    const last = curve[curve.length - 1];
    if (last !== undefined && curve.length % Math.max(1, Math.round(60 / sampleSeconds)) === 0) log(`  soak ${last.seconds.toFixed(0)} s: RSS ${last.rssMiB.toFixed(0)} MiB`);
  }, sampleSeconds * 1000);
  let produce: ProduceResult | null = null;
  try {
    log(`  soak: ${recordBytes} B records at full speed for ${minutes} min, RSS every ${sampleSeconds} s`);
    produce = await client.produce(
      { topic, count: recordsFor(recordBytes, 1), size: recordBytes, acks: '1', lingerMs: config.lingerMs, minSeconds: minutes * 60, brokerPid },
      minutes * 60_000 + config.phaseTimeoutMs,
    );
    if (!produce.ok) problems.push(`soak produce: ${produce.error ?? 'failed'}`);
  } finally {
    clearInterval(timer);
    sample();
  }
  if (!config.keepTopics) {
    const deleted = await client.deleteTopic(topic, Math.min(config.phaseTimeoutMs, 60_000));
    if (!deleted.ok) problems.push(`delete ${topic}: ${deleted.error ?? 'failed'}`);
  }
  return { topic, produce, curve, peakMiB: curve.length === 0 ? null : Math.max(...curve.map((p) => p.rssMiB)), ...growth(curve), problems };
}

/** Slope (MiB/min) after the first fifth, and last-fifth mean minus second-fifth mean. */
export function growth(curve: readonly { seconds: number; rssMiB: number }[]): { slopeMiBPerMinute: number | null; lastFifthMinusSecondFifthMiB: number | null } {
  const n = curve.length;
  if (n < 10) return { slopeMiBPerMinute: null, lastFifthMinusSecondFifthMiB: null };
  const fifth = Math.floor(n / 5);
  const tail = curve.slice(fifth);
  const mx = tail.reduce((s, p) => s + p.seconds, 0) / tail.length;
  const my = tail.reduce((s, p) => s + p.rssMiB, 0) / tail.length;
  const sxy = tail.reduce((s, p) => s + (p.seconds - mx) * (p.rssMiB - my), 0);
  const sxx = tail.reduce((s, p) => s + (p.seconds - mx) ** 2, 0);
  const mean = (points: readonly { rssMiB: number }[]): number => points.reduce((s, p) => s + p.rssMiB, 0) / points.length;
  return {
    slopeMiBPerMinute: sxx === 0 ? null : (sxy / sxx) * 60,
    lastFifthMinusSecondFifthMiB: mean(curve.slice(n - fifth)) - mean(curve.slice(fifth, 2 * fifth)),
  };
}

/** The soak's summary and curve (markdown). */
export function formatSoak(s: SoakOutcome): string {
  const num = (v: number | null | undefined, digits: number): string => (v === null || v === undefined ? '-' : v.toFixed(digits));
  const p = s.produce;
  const mbps = p?.ok === true && p.seconds > 0 ? p.bytes / p.seconds / 1e6 : null;
  const lines = [
    `produce ${num(mbps, 1)} MB/s over ${num(p?.seconds, 0)} s (${p?.records ?? '-'} records); broker RSS peak ${num(s.peakMiB, 1)} MiB; ` +
      `growth ${num(s.slopeMiBPerMinute, 2)} MiB/min (slope after the first fifth), last fifth - second fifth ${num(s.lastFifthMinusSecondFifthMiB, 1)} MiB`,
    '',
    '| seconds | RSS MiB |',
    '| ------: | ------: |',
    ...s.curve.map((c) => `| ${c.seconds.toFixed(0)} | ${c.rssMiB.toFixed(1)} |`),
  ];
  return lines.join('\n');
}
