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
export { electLeader, electPreferredLeader } from './leader-election';
export { ClusterController, type ClusterControllerOptions, type ControllerLogger } from './cluster-controller';
export { placeReplicas, PlacementError, type PlacementBroker } from './replica-placement';
