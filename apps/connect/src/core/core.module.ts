import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import { CONNECT_CONFIG, type ConnectConfig } from '../config/connect-config';
import { ROOT_LOGGER } from '@millrace/app-common';

/** The validated config and the root logger, available everywhere. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(config: ConnectConfig, logger: Logger): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: CONNECT_CONFIG, useValue: config },
        { provide: ROOT_LOGGER, useValue: logger },
      ],
      exports: [CONNECT_CONFIG, ROOT_LOGGER],
    };
  }
}
