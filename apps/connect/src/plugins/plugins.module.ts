import { Module } from '@nestjs/common';
import { ClusterInfoModule } from '../cluster/cluster-info.module';
import { builtInPluginsProvider } from './built-in-plugins.provider';
import { PluginRegistry } from './plugin-registry';

/** Provides the PluginRegistry. */
@Module({ imports: [ClusterInfoModule], providers: [builtInPluginsProvider, PluginRegistry], exports: [PluginRegistry] })
export class PluginsModule {}
