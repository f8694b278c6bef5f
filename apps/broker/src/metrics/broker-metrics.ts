import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RequestObserver } from '../handlers/request-dispatcher.service';

/** Values sampled at scrape time (log sizes, group lag), supplied by their owners. */
export interface MetricsSampler {
  logSizes(): { topic: string; partition: number; bytes: number }[];
  groupLags(): Promise<{ group: string; topic: string; partition: number; lag: number }[]>;
}

/**
 * The broker's Prometheus metrics (served at GET /metrics):
 * - millrace_topic_bytes_in_total / _records_in_total {topic}: appended by producers;
 * - millrace_topic_bytes_out_total / _records_out_total {topic}: returned to consumers
 *   (records out are counted per batch header, so no record is decoded to count them);
 * - millrace_request_duration_seconds {api}: handling time per Kafka API;
 * - millrace_log_size_bytes {topic,partition} and millrace_group_lag {group,topic,partition},
 *   sampled at scrape time;
 * - Node's process metrics (RSS, heap, event loop lag) with the millrace_ prefix.
 *
 * Traffic is added up in plain per-topic tallies on the request path and handed to the
 * prom-client counters when /metrics is rendered: a labelled prom-client update
 * validates and hashes its labels every time, a cost paid per request otherwise.
 */
export class BrokerMetrics implements RequestObserver {
  readonly registry = new Registry();
  private readonly bytesIn = new Counter({ name: 'millrace_topic_bytes_in_total', help: 'Bytes appended per topic', labelNames: ['topic'], registers: [this.registry] });
  private readonly recordsIn = new Counter({ name: 'millrace_topic_records_in_total', help: 'Records appended per topic', labelNames: ['topic'], registers: [this.registry] });
  private readonly bytesOut = new Counter({ name: 'millrace_topic_bytes_out_total', help: 'Bytes fetched per topic', labelNames: ['topic'], registers: [this.registry] });
  private readonly recordsOut = new Counter({ name: 'millrace_topic_records_out_total', help: 'Records fetched per topic (by batch header)', labelNames: ['topic'], registers: [this.registry] });
  private readonly requestSeconds = new Histogram({
    name: 'millrace_request_duration_seconds',
    help: 'Time to handle a Kafka request, by API',
    labelNames: ['api'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  private sampler: MetricsSampler | null = null;
  /** Per-topic traffic not yet handed to the counters (see render). */
  private readonly pendingIn = new Map<string, TrafficTally>();
  private readonly pendingOut = new Map<string, TrafficTally>();

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'millrace_' });
    const logSizes = (): ReturnType<MetricsSampler['logSizes']> => this.sampler?.logSizes() ?? [];
    const groupLags = async (): ReturnType<MetricsSampler['groupLags']> => (this.sampler ? this.sampler.groupLags() : []);
    new Gauge({
      name: 'millrace_log_size_bytes',
      help: 'Bytes on disk per partition log',
      labelNames: ['topic', 'partition'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const s of logSizes()) this.set({ topic: s.topic, partition: String(s.partition) }, s.bytes);
      },
    });
    new Gauge({
      name: 'millrace_group_lag',
      help: 'High watermark minus committed offset, per consumer group partition',
      labelNames: ['group', 'topic', 'partition'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const l of await groupLags()) this.set({ group: l.group, topic: l.topic, partition: String(l.partition) }, l.lag);
      },
    });
  }

  setSampler(sampler: MetricsSampler): void {
    this.sampler = sampler;
  }

  recordIn(topic: string, bytes: number, records: number): void {
    tally(this.pendingIn, topic, bytes, records);
  }

  recordOut(topic: string, bytes: number, records: number): void {
    tally(this.pendingOut, topic, bytes, records);
  }

  onRequest(apiName: string, _apiVersion: number, seconds: number): void {
    this.requestSeconds.observe({ api: apiName }, seconds);
  }

  render(): Promise<string> {
    this.flushTraffic();
    return this.registry.metrics();
  }

  private flushTraffic(): void {
    for (const [topic, t] of this.pendingIn) {
      this.bytesIn.inc({ topic }, t.bytes);
      this.recordsIn.inc({ topic }, t.records);
    }
    for (const [topic, t] of this.pendingOut) {
      this.bytesOut.inc({ topic }, t.bytes);
      this.recordsOut.inc({ topic }, t.records);
    }
    this.pendingIn.clear();
    this.pendingOut.clear();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

interface TrafficTally {
  bytes: number;
  records: number;
}

function tally(pending: Map<string, TrafficTally>, topic: string, bytes: number, records: number): void {
  const t = pending.get(topic);
  if (t === undefined) pending.set(topic, { bytes, records });
  else {
    t.bytes += bytes;
    t.records += records;
  }
}
