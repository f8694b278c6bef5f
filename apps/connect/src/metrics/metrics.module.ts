import { Module } from '@nestjs/common';
import { ConnectAlerts, ConnectAlertsController } from './connect-alerts';
import { ConnectMetrics } from './connect-metrics';
import { MetricsController } from './metrics.controller';

/** Provides ConnectMetrics (one registry per worker) and serves /metrics, /health and /alerts (in-process alert rules). */
@Module({ providers: [ConnectMetrics, ConnectAlerts], exports: [ConnectMetrics], controllers: [MetricsController, ConnectAlertsController] })
export class MetricsModule {}
