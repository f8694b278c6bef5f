import { Module } from '@nestjs/common';
import { PluginsModule } from '../plugins/plugins.module';
import { SecretsService } from './secrets.service';

/** Provides the SecretsService (masking, config providers, encryption at rest). */
@Module({ imports: [PluginsModule], providers: [SecretsService], exports: [SecretsService] })
export class SecretsModule {}
