import { Module } from '@nestjs/common';
import { ClusterInfoModule } from '../cluster/cluster-info.module';
import { PluginRegistry } from './plugin-registry';

/** Provides the PluginRegistry. */
@Module({ imports: [ClusterInfoModule], providers: [PluginRegistry], exports: [PluginRegistry] })
export class PluginsModule {}
