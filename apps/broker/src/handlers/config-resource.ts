/** Kafka's ConfigResource types used by DescribeConfigs / AlterConfigs. */
export enum ConfigResourceType {
  TOPIC = 2,
  BROKER = 4,
}
