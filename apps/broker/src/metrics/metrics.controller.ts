import { Controller, Get, Header, Res } from '@nestjs/common';
import type { Response } from 'express';
import { BrokerMetrics } from './broker-metrics';

/** GET /metrics in Prometheus text format. */
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: BrokerMetrics) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  async metricsText(@Res() res: Response): Promise<void> {
    const body = await this.metrics.render();
    res.setHeader('Content-Type', this.metrics.contentType);
    res.send(body);
  }
}
