import type { Provider } from '@nestjs/common';
import { loadBuiltInPlugins } from './built-in-plugins';

/** Injection token of the built-in plugins (ConnectorPlugin[]), loaded once at start-up. */
export const BUILT_IN_PLUGINS = Symbol('BUILT_IN_PLUGINS');

/** Provides BUILT_IN_PLUGINS: Nest awaits the loaders before constructing the PluginRegistry. */
export const builtInPluginsProvider: Provider = { provide: BUILT_IN_PLUGINS, useFactory: loadBuiltInPlugins };
