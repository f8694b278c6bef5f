/**
 * @millrace/cluster-metadata — a broker cluster's metadata in etcd (v3): broker
 * registrations under leases, the controller claim (its create revision is the controller
 * epoch), topic assignments and per-partition leader / leader epoch / ISR changed only by
 * compare-and-swap, fenced by the controller epoch. Layout in key-layout.ts.
 */
export { ClusterKeys } from './key-layout';
export * from './cluster-types';
export { BrokerSession } from './broker-session';
export { ClusterMetadataStore, ControllerFencedError, type CasResult } from './cluster-metadata-store';
export type { Watcher } from './cluster-metadata-store';
export { decideElection, electLeader, electPreferredLeader, type ElectionRefusal, type ElectionType } from './leader-election';
export { cancelReassignment, completeReassignment, originalReplicas, planReassignment, type ReassignmentStep } from './reassignment';
export { PartitionReassigner, type OngoingReassignment, type ReassignError, type ReassignRequest, type ReassignResult } from './partition-reassigner';
export { ClusterController, type ClusterControllerOptions, type ControllerLogger, type ElectionResult } from './cluster-controller';
export { placeReplicas, PlacementError, type PlacementBroker } from './replica-placement';
