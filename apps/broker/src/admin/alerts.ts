import { Controller, Get, Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { appAlertEvaluator, type ActiveAlert, type AlertEvaluator } from '@millrace/alerts';
import { ROOT_LOGGER } from '@millrace/app-common';
import { BROKER_CONFIG, type BrokerConfig } from '../config/broker-config';
import { BrokerMetrics } from '../metrics/broker-metrics';

/**
 * The broker's alert rules (libs/alerts: consumer lag growing, offline partitions,
 * corrupt ranges, disk nearly full) evaluated in-process over its own metrics every
 * MILLRACE_ALERT_EVALUATION_INTERVAL_MS; active ones at GET /admin/alerts, changes
 * POSTed to MILLRACE_ALERT_WEBHOOK_URL (Alertmanager's webhook format).
 */
@Injectable()
export class BrokerAlerts implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly evaluator: AlertEvaluator;

  constructor(@Inject(BROKER_CONFIG) config: BrokerConfig, metrics: BrokerMetrics, @Inject(ROOT_LOGGER) root: Logger) {
    const logger = root.child({ component: 'alerts' });
    this.evaluator = appAlertEvaluator('broker', [metrics.registry], config.alerts, { info: (m) => logger.info(m), warn: (m) => logger.warn(m) });
  }

  onApplicationBootstrap(): void {
    this.evaluator.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.evaluator.stop();
  }
}

@Controller('admin/alerts')
export class AlertsController {
  constructor(private readonly alerts: BrokerAlerts) {}

  @Get()
  list(): ActiveAlert[] {
    return this.alerts.evaluator.active();
  }
}
