import { Module } from '@nestjs/common';
import { SecretsModule } from '../secrets/secrets.module';
import { ConfigStore } from './config-store';

/** Provides the ConfigStore (connect-configs topic). */
@Module({ imports: [SecretsModule], providers: [ConfigStore], exports: [ConfigStore] })
export class ConfigStoreModule {}
