import { Counter, Gauge, type Registry } from 'prom-client';
import type { TopicManager } from '../metadata/topic-manager';
import type { ReplicaManager } from '../partition/replica-manager';
import type { ClusterView } from './cluster-view';

/**
 * Cluster mode's /metrics (sampled at scrape time, except the counters):
 *   millrace_controller_id                      node id of the controller (-1: none)
 *   millrace_under_replicated_partitions        partitions this broker leads whose ISR is smaller than their replicas
 *   millrace_follower_lag_records {topic, partition, replica}
 *                                               leader's log end minus the follower's (partitions this broker leads)
 *   millrace_isr_shrinks_total, millrace_isr_expands_total
 *                                               ISR changes this broker made as a leader (IsrManager)
 */
export class ReplicationMetrics {
  readonly isrShrinks: Counter;
  readonly isrExpands: Counter;

  constructor(registry: Registry, replicas: ReplicaManager, topics: TopicManager, view: ClusterView) {
    const registers = [registry];
    const led = () => replicas.allPartitions().filter((p) => p.replication && p.isLeader);
    new Gauge({
      name: 'millrace_controller_id',
      help: 'Node id of the cluster controller (-1 while none is elected)',
      registers,
      collect() {
        this.set(view.controllerId());
      },
    });
    new Gauge({
      name: 'millrace_under_replicated_partitions',
      help: 'Partitions led by this broker whose in-sync replicas are fewer than their replicas',
      registers,
      collect() {
        let n = 0;
        for (const p of led()) {
          const assigned = topics.get(p.topic)?.replicas?.[p.index]?.length ?? 1;
          if (p.replication!.inSyncReplicas.length < assigned) n++;
        }
        this.set(n);
      },
    });
    new Gauge({
      name: 'millrace_follower_lag_records',
      help: "Leader's log end offset minus the follower's, per replica of the partitions this broker leads",
      labelNames: ['topic', 'partition', 'replica'],
      registers,
      collect() {
        this.reset();
        for (const p of led()) {
          for (const [replica, leo] of p.replication!.followerPositions()) {
            this.set({ topic: p.topic, partition: String(p.index), replica: String(replica) }, Math.max(0, p.logEndOffset - leo));
          }
        }
      },
    });
    this.isrShrinks = new Counter({ name: 'millrace_isr_shrinks_total', help: 'Followers this broker removed from an ISR as leader', registers });
    this.isrExpands = new Counter({ name: 'millrace_isr_expands_total', help: 'Followers this broker added back to an ISR as leader', registers });
  }
}
