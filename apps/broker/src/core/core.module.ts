import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import { BROKER_CONFIG, type BrokerConfig } from '../config/broker-config';
import { DynamicBrokerConfig } from '../config/dynamic-broker-config';
import { ROOT_LOGGER } from '@millrace/app-common';
import { BrokerMetrics } from '../metrics/broker-metrics';

/** The validated config, the root logger and the metrics registry, available everywhere. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(config: BrokerConfig, logger: Logger): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: BROKER_CONFIG, useValue: config },
        { provide: ROOT_LOGGER, useValue: logger },
        { provide: BrokerMetrics, useValue: new BrokerMetrics() },
        {
          provide: DynamicBrokerConfig,
          useFactory: async () => {
            const dyn = await DynamicBrokerConfig.load(config);
            for (const w of dyn.warnings) logger.warn(w);
            return dyn;
          },
        },
      ],
      exports: [BROKER_CONFIG, ROOT_LOGGER, BrokerMetrics, DynamicBrokerConfig],
    };
  }
}
