import { logConfigToStrings } from '@millrace/storage';
import type { TopicManager } from '../metadata/topic-manager';
import type { TopicMetadata } from '../metadata/topic-store';

/** Kafka's ConfigSource values, as DescribeConfigs and CreateTopics report them. */
export enum ConfigSource {
  DYNAMIC_TOPIC_CONFIG = 1,
  DYNAMIC_BROKER_CONFIG = 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG = 3,
  STATIC_BROKER_CONFIG = 4,
  DEFAULT_CONFIG = 5,
}

export interface TopicConfigEntry {
  name: string;
  value: string;
  readOnly: boolean;
  isDefault: boolean;
  configSource: ConfigSource;
}

/**
 * Every config of a topic with its effective value and where it comes from: the
 * topic's own override, a broker-wide default set at start (MILLRACE_LOG_*), or Kafka's
 * default. `keys` limits the answer (null = all). `dynamicSource` names the source of a
 * broker-wide default set dynamically (null when it is not), when the caller knows.
 */
export function describeTopicConfigs(
  topics: TopicManager,
  topic: TopicMetadata,
  keys: readonly string[] | null,
  dynamicSource: (name: string) => ConfigSource | null = () => null,
): TopicConfigEntry[] {
  const effective = logConfigToStrings(topics.configOf(topic));
  const brokerDefaults = logConfigToStrings(topics.logDefaults);
  const kafkaDefaults = logConfigToStrings(topics.kafkaDefaults);
  const wanted = keys === null ? Object.keys(effective) : keys.filter((k) => k in effective);
  return wanted.map((name) => {
    let configSource = ConfigSource.DEFAULT_CONFIG;
    if (name in topic.configs) configSource = ConfigSource.DYNAMIC_TOPIC_CONFIG;
    else if (dynamicSource(name) !== null) configSource = dynamicSource(name)!;
    else if (brokerDefaults[name] !== kafkaDefaults[name]) configSource = ConfigSource.STATIC_BROKER_CONFIG;
    return { name, value: effective[name], readOnly: false, isDefault: configSource === ConfigSource.DEFAULT_CONFIG, configSource };
  });
}
