import type { ParsedConfig } from '../config/config-def';
import type { ConnectorPlugin } from '../connector/connector';
import { parseConfig } from '../config/config-parser';
import { parseTransformConfig } from '../transforms/transform-config';

/** Validates a connector config for a plugin: config key -> error message (empty = valid). */
export type PluginConfigValidator = (plugin: ConnectorPlugin, config: Readonly<Record<string, string>>) => Readonly<Record<string, string>> | Promise<Readonly<Record<string, string>>>;

/** Parses a (valid) connector config into the plugin's parsed values. */
export type PluginConfigParser = (plugin: ConnectorPlugin, config: Readonly<Record<string, string>>) => ParsedConfig;

/**
 * The acceptance suite's default validation: each key of the plugin's ConfigDef parsed on
 * its own (missing required keys, types, allowed values, validators), then — when those
 * pass — the plugin's own cross-field `validate`. A stand-in for the runtime's validator
 * (libs/connect-sdk/src/config); suites may pass that one instead.
 */
export const checkPluginConfig: PluginConfigValidator = (plugin, config) => {
  const errors: Record<string, string> = {};
  for (const problem of parseConfig(plugin.configDef, config).problems) errors[problem.key] ??= problem.message;
  if (Object.keys(errors).length > 0 || plugin.validate === undefined) return errors;
  return { ...plugin.validate(config, parsePluginConfig(plugin, config)) };
};

/** The default parser: the plugin's ConfigDef applied to the config (throws on invalid values). */
export const parsePluginConfig: PluginConfigParser = (plugin, config) => parseTransformConfig(plugin.configDef, config);
