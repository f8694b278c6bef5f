/**
 * Message definitions, one file per API, transcribed from the Kafka 3.8 message specs
 * (full validVersions range of each). Each file exports `<Name>Request`, `<Name>Response`,
 * `<Name>Api` and the types `<Name>RequestData` / `<Name>ResponseData` (decoded) and
 * `<Name>RequestInput` / `<Name>ResponseInput` (encoder input, defaulted fields optional).
 */
import type { ApiDefinition } from '../schema/api';
import { ProduceApi } from './produce';
import { FetchApi } from './fetch';
import { ListOffsetsApi } from './list-offsets';
import { MetadataApi } from './metadata';
import { OffsetCommitApi } from './offset-commit';
import { OffsetFetchApi } from './offset-fetch';
import { FindCoordinatorApi } from './find-coordinator';
import { JoinGroupApi } from './join-group';
import { HeartbeatApi } from './heartbeat';
import { LeaveGroupApi } from './leave-group';
import { SyncGroupApi } from './sync-group';
import { DescribeGroupsApi } from './describe-groups';
import { ListGroupsApi } from './list-groups';
import { SaslHandshakeApi } from './sasl-handshake';
import { ApiVersionsApi } from './api-versions';
import { CreateTopicsApi } from './create-topics';
import { DeleteTopicsApi } from './delete-topics';
import { DeleteRecordsApi } from './delete-records';
import { InitProducerIdApi } from './init-producer-id';
import { OffsetForLeaderEpochApi } from './offset-for-leader-epoch';
import { AddPartitionsToTxnApi } from './add-partitions-to-txn';
import { AddOffsetsToTxnApi } from './add-offsets-to-txn';
import { EndTxnApi } from './end-txn';
import { WriteTxnMarkersApi } from './write-txn-markers';
import { TxnOffsetCommitApi } from './txn-offset-commit';
import { DescribeConfigsApi } from './describe-configs';
import { AlterConfigsApi } from './alter-configs';
import { DescribeLogDirsApi } from './describe-log-dirs';
import { SaslAuthenticateApi } from './sasl-authenticate';
import { CreatePartitionsApi } from './create-partitions';
import { DeleteGroupsApi } from './delete-groups';
import { ElectLeadersApi } from './elect-leaders';
import { IncrementalAlterConfigsApi } from './incremental-alter-configs';
import { AlterPartitionReassignmentsApi } from './alter-partition-reassignments';
import { ListPartitionReassignmentsApi } from './list-partition-reassignments';
import { OffsetDeleteApi } from './offset-delete';
import { DescribeClusterApi } from './describe-cluster';
import { DescribeTransactionsApi } from './describe-transactions';
import { ListTransactionsApi } from './list-transactions';

export * from './produce';
export * from './fetch';
export * from './list-offsets';
export * from './metadata';
export * from './offset-commit';
export * from './offset-fetch';
export * from './find-coordinator';
export * from './join-group';
export * from './heartbeat';
export * from './leave-group';
export * from './sync-group';
export * from './describe-groups';
export * from './list-groups';
export * from './sasl-handshake';
export * from './api-versions';
export * from './create-topics';
export * from './delete-topics';
export * from './delete-records';
export * from './init-producer-id';
export * from './offset-for-leader-epoch';
export * from './add-partitions-to-txn';
export * from './add-offsets-to-txn';
export * from './end-txn';
export * from './write-txn-markers';
export * from './txn-offset-commit';
export * from './describe-configs';
export * from './alter-configs';
export * from './describe-log-dirs';
export * from './sasl-authenticate';
export * from './create-partitions';
export * from './delete-groups';
export * from './elect-leaders';
export * from './incremental-alter-configs';
export * from './alter-partition-reassignments';
export * from './list-partition-reassignments';
export * from './offset-delete';
export * from './describe-cluster';
export * from './describe-transactions';
export * from './list-transactions';
export * from './consumer-protocol';

/** Every API this codec understands, in API-key order. */
export const ALL_APIS = [
  ProduceApi,
  FetchApi,
  ListOffsetsApi,
  MetadataApi,
  OffsetCommitApi,
  OffsetFetchApi,
  FindCoordinatorApi,
  JoinGroupApi,
  HeartbeatApi,
  LeaveGroupApi,
  SyncGroupApi,
  DescribeGroupsApi,
  ListGroupsApi,
  SaslHandshakeApi,
  ApiVersionsApi,
  CreateTopicsApi,
  DeleteTopicsApi,
  DeleteRecordsApi,
  InitProducerIdApi,
  OffsetForLeaderEpochApi,
  AddPartitionsToTxnApi,
  AddOffsetsToTxnApi,
  EndTxnApi,
  WriteTxnMarkersApi,
  TxnOffsetCommitApi,
  DescribeConfigsApi,
  AlterConfigsApi,
  DescribeLogDirsApi,
  SaslAuthenticateApi,
  CreatePartitionsApi,
  DeleteGroupsApi,
  ElectLeadersApi,
  IncrementalAlterConfigsApi,
  AlterPartitionReassignmentsApi,
  ListPartitionReassignmentsApi,
  OffsetDeleteApi,
  DescribeClusterApi,
  DescribeTransactionsApi,
  ListTransactionsApi,
] as const;

/** A union of the definitions in {@link ALL_APIS}, discriminated by `apiKey`. */
export type KnownApi = (typeof ALL_APIS)[number];

/** API key -> definition, for request dispatch and the ApiVersions response. */
export const API_DEFINITIONS: ReadonlyMap<number, ApiDefinition> = new Map<number, ApiDefinition>(
  ALL_APIS.map((api): [number, ApiDefinition] => [api.apiKey, api]),
);
