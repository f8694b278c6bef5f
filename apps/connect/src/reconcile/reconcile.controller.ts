import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ReconcileService } from './reconcile.service';

/**
 * Source ↔ warehouse reconciliation of a sink connector: `POST /connectors/{c}/reconcile`
 * starts a run (202 with the report as it starts; 409 while one runs; 400 for a connector
 * that is not a table sink); `GET /connectors/{c}/reconcile` shows the latest run of this
 * worker (reconcile-run.ts has the report's shape); 404 for an unknown connector or none yet.
 */
@Controller('connectors/:connector/reconcile')
export class ReconcileController {
  constructor(private readonly reconcile: ReconcileService) {}

  @Post()
  @HttpCode(202)
  start(@Param('connector') name: string): unknown {
    return this.reconcile.start(name);
  }

  @Get()
  report(@Param('connector') name: string): unknown {
    return this.reconcile.report(name);
  }
}
