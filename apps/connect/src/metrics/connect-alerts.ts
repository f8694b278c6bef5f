import { Controller, Get, Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { appAlertEvaluator, type ActiveAlert, type AlertEvaluator } from '@millrace/alerts';
import { ROOT_LOGGER } from '@millrace/app-common';
import { CONNECT_CONFIG, type ConnectConfig } from '../config/connect-config';
import { ConnectMetrics } from './connect-metrics';

/**
 * This worker's alert rules (libs/alerts: failed tasks, dead-letter records, stalled
 * snapshots) evaluated in-process over its own metrics; active ones at GET /alerts (a
 * Millrace addition to Kafka Connect's API), changes POSTed to MILLRACE_ALERT_WEBHOOK_URL.
 */
@Injectable()
export class ConnectAlerts implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly evaluator: AlertEvaluator;

  constructor(@Inject(CONNECT_CONFIG) config: ConnectConfig, metrics: ConnectMetrics, @Inject(ROOT_LOGGER) root: Logger) {
    const logger = root.child({ component: 'alerts' });
    this.evaluator = appAlertEvaluator('connect', [metrics.registry], config.alerts, { info: (m) => logger.info(m), warn: (m) => logger.warn(m) });
  }

  onApplicationBootstrap(): void {
    this.evaluator.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.evaluator.stop();
  }
}

@Controller('alerts')
export class ConnectAlertsController {
  constructor(private readonly alerts: ConnectAlerts) {}

  @Get()
  list(): ActiveAlert[] {
    return this.alerts.evaluator.active();
  }
}
