import { errorMessage } from '@millrace/app-common';
import type { ConnectorPlugin } from '@millrace/connect-sdk';

/**
 * Connector plugins from modules outside the worker, named at start-up by
 * MILLRACE_CONNECT_PLUGIN_MODULES (connect-config.ts). The integration tests load their
 * test plugins this way, so production code never imports test code.
 *
 * A plugin module is a compiled CommonJS module whose export `connectorPlugins` is an
 * array of ConnectorPlugin objects (name, aliases, type "source" or "sink", version,
 * configDef with keys, createConnector and createTask). Modules are loaded in the order given.
 *
 * Start-up stops with a PluginModuleError naming the module when a module cannot be
 * loaded, does not export such an array, or brings a plugin whose name or an alias is
 * already taken (by a built-in plugin or an earlier module).
 */
export class PluginModuleError extends Error {
  override readonly name = 'PluginModuleError';
}

export const PLUGIN_MODULE_EXPORT = 'connectorPlugins';

function isConnectorPlugin(value: unknown): value is ConnectorPlugin {
  if (typeof value !== 'object' || value === null) return false;
  const p = value as Partial<Record<keyof ConnectorPlugin, unknown>>;
  const configDef = p.configDef as { keys?: unknown } | undefined;
  return (
    typeof p.name === 'string' &&
    p.name !== '' &&
    Array.isArray(p.aliases) &&
    p.aliases.every((a) => typeof a === 'string') &&
    (p.type === 'source' || p.type === 'sink') &&
    typeof p.version === 'string' &&
    typeof configDef === 'object' &&
    configDef !== null &&
    Array.isArray(configDef.keys) &&
    typeof p.createConnector === 'function' &&
    typeof p.createTask === 'function'
  );
}

/** The plugins of every module in `paths` (absolute file paths), checked against `builtIn` and each other. */
export function loadPluginModules(paths: readonly string[], builtIn: readonly ConnectorPlugin[]): ConnectorPlugin[] {
  const taken = new Set(builtIn.flatMap((p) => [p.name, ...p.aliases]));
  const loaded: ConnectorPlugin[] = [];
  for (const file of paths) {
    let exported: unknown;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      exported = (require(file) as Record<string, unknown>)[PLUGIN_MODULE_EXPORT];
    } catch (err) {
      throw new PluginModuleError(`plugin module ${file} could not be loaded: ${errorMessage(err)}`);
    }
    if (!Array.isArray(exported) || !exported.every(isConnectorPlugin)) {
      throw new PluginModuleError(`plugin module ${file} must export ${PLUGIN_MODULE_EXPORT}: an array of connector plugins`);
    }
    for (const plugin of exported) {
      const clash = [plugin.name, ...plugin.aliases].find((n) => taken.has(n));
      if (clash !== undefined) throw new PluginModuleError(`plugin module ${file}: plugin name or alias ${clash} is already taken`);
      for (const n of [plugin.name, ...plugin.aliases]) taken.add(n);
      loaded.push(plugin);
    }
  }
  return loaded;
}
