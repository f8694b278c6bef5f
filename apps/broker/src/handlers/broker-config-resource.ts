import { ErrorCode } from '@millrace/protocol';
import type { BrokerConfigLevel, BrokerConfigOrigin } from '../config/dynamic-broker-config';
import { ConfigSource } from './topic-config-view';

/**
 * The level a BROKER config resource names, as in Kafka: '' is the cluster-wide default,
 * this broker's id is this broker; any other id is refused with INVALID_REQUEST.
 */
export function brokerConfigLevel(resourceName: string, nodeId: number): { level: BrokerConfigLevel } | { errorCode: ErrorCode; errorMessage: string } {
  if (resourceName === '') return { level: 'cluster' };
  if (resourceName === String(nodeId)) return { level: 'broker' };
  return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unexpected broker id, expected ${nodeId} or empty string, but received ${resourceName}` };
}

/** Kafka's ConfigSource of a broker config's origin. */
export function brokerConfigSource(origin: BrokerConfigOrigin): ConfigSource {
  switch (origin) {
    case 'broker':
      return ConfigSource.DYNAMIC_BROKER_CONFIG;
    case 'cluster':
      return ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG;
    case 'static':
      return ConfigSource.STATIC_BROKER_CONFIG;
    case 'default':
      return ConfigSource.DEFAULT_CONFIG;
  }
}
