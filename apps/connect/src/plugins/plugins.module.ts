import { Module } from '@nestjs/common';
import { PluginRegistry } from './plugin-registry';

/** Provides the PluginRegistry. */
@Module({ providers: [PluginRegistry], exports: [PluginRegistry] })
export class PluginsModule {}
