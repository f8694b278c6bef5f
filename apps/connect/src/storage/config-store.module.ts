import { Module } from '@nestjs/common';
import { ConfigStore } from './config-store';

/** Provides the ConfigStore (connect-configs topic). */
@Module({ providers: [ConfigStore], exports: [ConfigStore] })
export class ConfigStoreModule {}
