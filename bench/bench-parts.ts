/**
 * The parts of `npm run bench` that run after the broker matrix as scripts of their own
 * (each starts its own servers and prints its table on stdout; the bench adds a part's
 * non-zero exit to its problems). `--skip-<name>` or `BENCH_SKIP_<NAME>=1` leaves a part
 * out. A new part is one line here and its script in bench/.
 */
export interface BenchPart {
  readonly name: string;
  readonly title: string;
  /** Compiled script next to run.js. */
  readonly script: string;
  readonly timeoutMinutes: number;
}

export const BENCH_PARTS: readonly BenchPart[] = [
  { name: 'transactions', title: 'transactional produce (transactions-bench.ts)', script: 'transactions-bench.js', timeoutMinutes: 15 },
  { name: 'cluster', title: 'three brokers RF=3 acks=all vs NATS JetStream R3 (cluster-bench.ts)', script: 'cluster-bench.js', timeoutMinutes: 20 },
  { name: 'sinks', title: 'duckdb-sink vs jdbc-sink on the same topic (duckdb-sink-bench.ts)', script: 'duckdb-sink-bench.js', timeoutMinutes: 30 },
  { name: 'cdc', title: 'Postgres CDC: snapshot vs a direct COPY pipe, steady-state rows/s and latency (postgres-cdc-bench.ts; CDC_BENCH_* settings)', script: 'postgres-cdc-bench.js', timeoutMinutes: 30 },
  { name: 'mysql-cdc', title: 'MySQL/MariaDB CDC: snapshot vs a direct copy, streaming rows/s and latency (mysql-cdc-bench.ts; MYSQL_CDC_BENCH_* settings)', script: 'mysql-cdc-bench.js', timeoutMinutes: 30 },
  { name: 'mqtt', title: 'mqtt-source, QoS 1 ~200 B JSON into Kafka, vs a bare mqtt.js subscriber (mqtt-source-bench.ts; MQTT_BENCH_MESSAGES)', script: 'mqtt-source-bench.js', timeoutMinutes: 15 },
  { name: 'rollups', title: 'bi-rollup-sink, 10 rollups, vs the jdbc-sink upserting the same topic (rollup-sink-bench.ts)', script: 'rollup-sink-bench.js', timeoutMinutes: 20 },
];

/** The flag and variable that skip a part. */
export const skipFlag = (part: BenchPart): string => `skip-${part.name}`;
export const skipVariable = (part: BenchPart): string => `BENCH_SKIP_${part.name.toUpperCase()}`;
