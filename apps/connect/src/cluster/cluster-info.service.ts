import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { CONNECT_CONFIG, type ConnectConfig } from '../config/connect-config';
import { ROOT_LOGGER } from '@millrace/app-common';
import { clusterSupportsTransactions, createKafkaClient } from '@millrace/kafka-log';
import { MILLRACE_VERSION } from './millrace-version';

/**
 * `GET /`: the worker's version and the id of the Kafka cluster it stores its state in;
 * and what the cluster can do that changes how this worker runs tasks (whether source
 * tasks run exactly once, from MILLRACE_CONNECT_EXACTLY_ONCE_SOURCE and ApiVersions).
 */
@Injectable()
export class ClusterInfoService implements OnModuleInit {
  private clusterId = '';
  private eos = false;

  constructor(
    @Inject(CONNECT_CONFIG) private readonly config: ConnectConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  /** Reads the cluster id once, retrying for up to 2 minutes, then decides exactly-once; the REST port opens after it. */
  async onModuleInit(): Promise<void> {
    const deadline = Date.now() + 120_000;
    for (let delay = 500; ; delay = Math.min(delay * 2, 5_000)) {
      const admin = createKafkaClient(this.config.bootstrap, 'millrace-connect-cluster-info', this.logger).admin();
      try {
        await admin.connect();
        this.clusterId = (await admin.describeCluster()).clusterId;
        break;
      } catch (err) {
        if (Date.now() + delay > deadline) throw err;
        this.logger.warn({ err: (err as Error).message, retryInMs: delay }, 'Kafka cluster not reachable yet; retrying');
        await new Promise((resolve) => setTimeout(resolve, delay));
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    }
    await this.decideExactlyOnce();
  }

  /** Whether source tasks commit records and offsets in one transaction (Kafka's exactly.once.source.support=enabled). */
  get exactlyOnceSource(): boolean {
    return this.eos;
  }

  private async decideExactlyOnce(): Promise<void> {
    const mode = this.config.exactlyOnceSource;
    if (mode === 'disabled') return;
    const supported = await clusterSupportsTransactions(this.config.bootstrap, 'millrace-connect-cluster-info');
    if (!supported && mode === 'enabled') {
      throw new Error(`MILLRACE_CONNECT_EXACTLY_ONCE_SOURCE=enabled, but the Kafka cluster at ${this.config.bootstrap.join(',')} does not serve transactions (InitProducerId v3+, AddPartitionsToTxn, EndTxn): set it to auto or disabled, or upgrade the brokers`);
    }
    this.eos = supported;
  }

  info(): { version: string; commit: string; kafka_cluster_id: string } {
    return { version: MILLRACE_VERSION, commit: process.env.MILLRACE_COMMIT ?? 'unknown', kafka_cluster_id: this.clusterId };
  }
}
