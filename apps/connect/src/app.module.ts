import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import type { ConnectConfig } from './config/connect-config';
import { CoreModule } from './core/core.module';
import { RestModule } from './rest/rest.module';

/** The connect worker: storage topics, worker, herder and the REST API. */
@Module({})
export class AppModule {
  static forRoot(config: ConnectConfig, logger: Logger): DynamicModule {
    return { module: AppModule, imports: [CoreModule.forRoot(config, logger), RestModule] };
  }
}
