import { ErrorCode } from '@millrace/protocol';
import type { ReplicaManager } from './replica-manager';

/**
 * A coordinator's write to its internal topic (`__consumer_offsets`,
 * `__transaction_state`): one batch appended where this broker leads the partition
 * (never into a follower's log), resolved once it is committed — on one broker when the
 * log holds it as durably as the topic requires, in a cluster once the in-sync replicas
 * hold it (acks=all; Kafka's required acks -1 for coordinator writes). Throws otherwise,
 * naming the partition and the error; the coordinator then answers with a retriable code.
 */
export async function appendCommitted(replicas: ReplicaManager, topic: string, partition: number, batch: Buffer, timeoutMs: number): Promise<void> {
  const { partition: p, errorCode } = replicas.leaderFor(topic, partition);
  if (!p) throw new Error(`${topic}-${partition}: ${ErrorCode[errorCode]}`);
  const outcome = await p.appendRecords(batch, 'coordinator');
  if (outcome.errorCode !== ErrorCode.NONE) throw new Error(`append to ${topic}-${partition} failed: ${outcome.errorMessage}`);
  const code = await p.waitForInSyncReplicas(outcome.lastOffset! + 1, timeoutMs);
  if (code !== ErrorCode.NONE) throw new Error(`${topic}-${partition}: the in-sync replicas did not confirm the records (${ErrorCode[code]})`);
}
