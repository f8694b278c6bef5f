import { Module } from '@nestjs/common';
import { ConnectMetrics } from './connect-metrics';
import { MetricsController } from './metrics.controller';

/** Provides ConnectMetrics (one registry per worker) and serves /metrics and /health. */
@Module({ providers: [ConnectMetrics], exports: [ConnectMetrics], controllers: [MetricsController] })
export class MetricsModule {}
