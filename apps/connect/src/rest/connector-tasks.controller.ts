import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ConnectRestError } from '../http/connect-rest-error';
import { HerderService } from '../herder/herder.service';
import type { TaskInfo, TaskStateView } from '../herder/connector-views';
import { SecretsService } from '../secrets/secrets.service';

/**
 * A connector's tasks: `GET tasks` (secret values `[hidden]`), `GET tasks/{t}/status`,
 * `POST tasks/{t}/restart` (204); 404 for an unknown task.
 */
@Controller('connectors/:connector/tasks')
export class ConnectorTasksController {
  constructor(
    private readonly herder: HerderService,
    private readonly secrets: SecretsService,
  ) {}

  @Get()
  list(@Param('connector') name: string): TaskInfo[] {
    const connectorConfig = this.herder.info(name).config;
    return this.herder.taskInfos(name).map((t) => ({ id: t.id, config: this.secrets.mask(t.config, connectorConfig) }));
  }

  @Get(':task/status')
  status(@Param('connector') name: string, @Param('task') task: string): TaskStateView {
    const status = this.herder.taskStatus(name, taskId(name, task));
    return status.trace === undefined ? status : { ...status, trace: this.secrets.scrub(status.trace) };
  }

  @Post(':task/restart')
  @HttpCode(204)
  async restart(@Param('connector') name: string, @Param('task') task: string): Promise<void> {
    await this.herder.restartTask(name, taskId(name, task));
  }
}

function taskId(name: string, task: string): number {
  if (!/^\d+$/.test(task)) throw ConnectRestError.notFound(`Task ${name}-${task} not found`);
  return Number(task);
}
