import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { CONNECT_CONFIG, type ConnectConfig } from '../config/connect-config';
import { ROOT_LOGGER } from '@millrace/app-common';
import { createKafkaClient } from '@millrace/kafka-log';
import { MILLRACE_VERSION } from './millrace-version';

/** `GET /`: the worker's version and the id of the Kafka cluster it stores its state in. */
@Injectable()
export class ClusterInfoService implements OnModuleInit {
  private clusterId = '';

  constructor(
    @Inject(CONNECT_CONFIG) private readonly config: ConnectConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  /** Reads the cluster id once, retrying for up to 2 minutes; the REST port opens after it. */
  async onModuleInit(): Promise<void> {
    const deadline = Date.now() + 120_000;
    for (let delay = 500; ; delay = Math.min(delay * 2, 5_000)) {
      const admin = createKafkaClient(this.config.bootstrap, 'millrace-connect-cluster-info', this.logger).admin();
      try {
        await admin.connect();
        this.clusterId = (await admin.describeCluster()).clusterId;
        return;
      } catch (err) {
        if (Date.now() + delay > deadline) throw err;
        this.logger.warn({ err: (err as Error).message, retryInMs: delay }, 'Kafka cluster not reachable yet; retrying');
        await new Promise((resolve) => setTimeout(resolve, delay));
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    }
  }

  info(): { version: string; commit: string; kafka_cluster_id: string } {
    return { version: MILLRACE_VERSION, commit: process.env.MILLRACE_COMMIT ?? 'unknown', kafka_cluster_id: this.clusterId };
  }
}
