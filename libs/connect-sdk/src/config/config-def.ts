/**
 * Connector configuration definitions, in Kafka's ConfigDef vocabulary. Each plugin
 * declares its keys; the runtime validates a submitted config against them (REST
 * `PUT /connector-plugins/{p}/config/validate`, and 400 on create/update) and passes
 * tasks the parsed values.
 *
 * Contract:
 * - `required` keys have no default; a missing or empty required key is an error
 *   naming the key ("Missing required configuration \"x\" which has no default value.").
 * - Values arrive as strings (REST bodies are string maps, as in Kafka Connect) and are
 *   parsed by `type`; LIST is comma-separated, trimmed, empty items dropped; PASSWORD
 *   is a string that is never echoed back (shown as "[hidden]").
 * - `validator` runs on the parsed value and returns an error message or null.
 * - Keys not in the definition are kept and passed through (Kafka Connect does too:
 *   converters, transforms and errors.* are the runtime's, not the plugin's).
 */
export type ConfigType = 'STRING' | 'INT' | 'LONG' | 'DOUBLE' | 'BOOLEAN' | 'LIST' | 'CLASS' | 'PASSWORD';
export type ConfigImportance = 'HIGH' | 'MEDIUM' | 'LOW';
export type ConfigWidth = 'NONE' | 'SHORT' | 'MEDIUM' | 'LONG';

export type ConfigValueType = string | number | boolean | string[] | null;

export interface ConfigKey {
  readonly name: string;
  readonly type: ConfigType;
  readonly documentation: string;
  readonly importance: ConfigImportance;
  /** Absent = required. A string default is parsed like a submitted value. */
  readonly default?: ConfigValueType;
  readonly validator?: (value: ConfigValueType, config: Readonly<Record<string, string>>) => string | null;
  /** Allowed values shown as recommended_values (and checked when `validator` is absent). */
  readonly allowedValues?: readonly string[];
  readonly group?: string;
  readonly orderInGroup?: number;
  readonly width?: ConfigWidth;
  readonly displayName?: string;
  readonly dependents?: readonly string[];
}

export interface ConfigDef {
  readonly keys: readonly ConfigKey[];
  /** Groups in display order. */
  readonly groups?: readonly string[];
}

/** Parsed values by key, for keys of the definition (defaults applied). */
export type ParsedConfig = Readonly<Record<string, ConfigValueType>>;
