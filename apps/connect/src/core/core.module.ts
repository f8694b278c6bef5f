import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import { CONNECT_CONFIG, type ConnectConfig } from '../config/connect-config';
import { LogLevels, ROOT_LOGGER } from '@millrace/app-common';
import { LOG_SCRUBBER, type LogScrubber } from '../secrets/log-scrubber';

/** What main.ts builds before the application: the logger's scrubber and level registry. */
export interface CoreLogging {
  readonly scrubber: LogScrubber;
  readonly levels: LogLevels;
}

/** The validated config, the root logger, its LogScrubber and LogLevels, available everywhere. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(config: ConnectConfig, logger: Logger, logging: CoreLogging): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: CONNECT_CONFIG, useValue: config },
        { provide: ROOT_LOGGER, useValue: logger },
        { provide: LOG_SCRUBBER, useValue: logging.scrubber },
        { provide: LogLevels, useValue: logging.levels },
      ],
      exports: [CONNECT_CONFIG, ROOT_LOGGER, LOG_SCRUBBER, LogLevels],
    };
  }
}
