import { Controller, Get, HttpCode, Param, Put } from '@nestjs/common';
import { HerderService } from '../herder/herder.service';
import { StatusStore } from '../storage/status-store';

/**
 * A connector's active topics (KIP-558): `GET /connectors/{c}/topics` answers
 * `{"<c>": {"topics": [...]}}`, the topics its tasks produced to or consumed from since
 * creation or the last reset; `PUT /connectors/{c}/topics/reset` empties the set (202).
 * 404 for an unknown connector. The sets live in connect-status (topic-status-state.ts),
 * so every worker of a cluster answers the same.
 */
@Controller('connectors/:connector/topics')
export class ConnectorTopicsController {
  constructor(
    private readonly herder: HerderService,
    private readonly statusStore: StatusStore,
  ) {}

  @Get()
  topics(@Param('connector') name: string): Record<string, { topics: string[] }> {
    this.herder.info(name);
    return { [name]: { topics: this.statusStore.activeTopics(name) } };
  }

  @Put('reset')
  @HttpCode(202)
  reset(@Param('connector') name: string): void {
    this.herder.info(name);
    this.statusStore.resetActiveTopics(name);
  }
}
