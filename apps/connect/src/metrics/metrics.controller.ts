import { Controller, Get, Header, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ConnectMetrics } from './connect-metrics';

/**
 * `GET /metrics`: Prometheus text format. `GET /health`: 200 `{"status":"UP","tasks":{<state>: n}}`
 * once the worker serves REST (it does after reading its storage topics).
 */
@Controller()
export class MetricsController {
  constructor(private readonly metrics: ConnectMetrics) {}

  @Get('metrics')
  @Header('Cache-Control', 'no-store')
  async metricsText(@Res() res: Response): Promise<void> {
    const body = await this.metrics.render();
    res.setHeader('Content-Type', this.metrics.contentType);
    res.send(body);
  }

  @Get('health')
  @Header('Cache-Control', 'no-store')
  health(): { status: 'UP'; tasks: Record<string, number> } {
    return { status: 'UP', tasks: this.metrics.taskStateCounts() };
  }
}
