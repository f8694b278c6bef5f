import { DEFAULT_GROUP_COORDINATOR_CONFIG, resolveGroupCoordinatorConfig } from './group-coordinator.config';

describe('group coordinator config', () => {
  it('defaults to Kafka values', () => {
    expect(resolveGroupCoordinatorConfig()).toEqual(DEFAULT_GROUP_COORDINATOR_CONFIG);
    expect(DEFAULT_GROUP_COORDINATOR_CONFIG.groupInitialRebalanceDelayMs).toBe(3000);
    expect(DEFAULT_GROUP_COORDINATOR_CONFIG.offsetsTopicNumPartitions).toBe(50);
    expect(DEFAULT_GROUP_COORDINATOR_CONFIG.offsetsRetentionMinutes).toBe(10080);
  });

  it('reads only its own keys, so a broker config with the same names can be passed as is', () => {
    const brokerLike = { dataDir: './data', offsetsTopicNumPartitions: 3, groupInitialRebalanceDelayMs: 0, logDefaults: {} };
    expect(resolveGroupCoordinatorConfig(brokerLike)).toMatchObject({ offsetsTopicNumPartitions: 3, groupInitialRebalanceDelayMs: 0 });
  });

  it('rejects invalid values', () => {
    expect(() => resolveGroupCoordinatorConfig({ offsetsTopicNumPartitions: 0 })).toThrow(RangeError);
    expect(() => resolveGroupCoordinatorConfig({ groupInitialRebalanceDelayMs: -1 })).toThrow(RangeError);
    expect(() => resolveGroupCoordinatorConfig({ groupMinSessionTimeoutMs: 10, groupMaxSessionTimeoutMs: 5 })).toThrow(RangeError);
  });
});
