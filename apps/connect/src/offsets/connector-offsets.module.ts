import { Module } from '@nestjs/common';
import { PluginsModule } from '../plugins/plugins.module';
import { ConfigStoreModule } from '../storage/config-store.module';
import { OffsetStoreModule } from '../storage/offset-store.module';
import { ConnectorOffsetsService } from './connector-offsets.service';

/** Provides the ConnectorOffsetsService (KIP-875 offsets of source and sink connectors). */
@Module({ imports: [ConfigStoreModule, OffsetStoreModule, PluginsModule], providers: [ConnectorOffsetsService], exports: [ConnectorOffsetsService] })
export class ConnectorOffsetsModule {}
