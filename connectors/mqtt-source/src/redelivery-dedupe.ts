import { createHash } from 'node:crypto';

/**
 * Recognises MQTT redeliveries of messages already written to Kafka, for a task whose
 * source offsets are committed in the same Kafka transaction as its records
 * (`exactly.once.support=required`).
 *
 * Why a redelivery happens: a QoS 1/2 message is acknowledged (PUBACK/PUBREC) only after
 * its record committed. If the task dies after the commit but before the MQTT broker
 * received the acknowledgement, the broker sends the message again to the next session,
 * with the DUP flag and the same packet id. Exactly those messages — committed, their
 * acknowledgement not known to have reached the broker — are what this class keeps, and
 * what the task stores in the source offset of each batch (so it survives a kill -9 with
 * the records it describes, or is rolled back with them).
 *
 * Identity of a delivery: packet id + a digest of topic and payload. A packet id alone
 * is unique only among the session's unacknowledged messages: the broker reuses it once
 * it received the acknowledgement, so an entry must leave the set as soon as that is
 * known, and the digest keeps a reused id with another content from matching.
 *
 * When an acknowledgement is known to have arrived (the entry leaves the set):
 * - barrier: after acks are written, the task sends an UNSUBSCRIBE of a filter it never
 *   subscribed to; the broker handles a connection's packets in order, so its UNSUBACK
 *   proves every acknowledgement written before the UNSUBSCRIBE on that connection was
 *   processed (`barrierSent` / `barrierDone`);
 * - reconnect sweep: on reconnect the broker must resend every unacknowledged message
 *   (MQTT 3.1.1 §4.4, 5 §4.4) before it answers later packets; an entry not seen again
 *   by the time the first barrier of the new connection completes was acknowledged (or
 *   the session is gone), so it cannot come back.
 *
 * Contracts:
 * - `take(id, topic, payload, dup)`: 'new' (write the record; the entry is tracked) or
 *   'duplicate' (a DUP delivery of an entry in the set: drop the record, still
 *   acknowledge this delivery once the original is committed).
 * - `read(entry)` marks a tracked entry as part of a batch handed to the runtime: from
 *   then on it is in `offsetFields()` (a batch's offset lists everything read and not
 *   confirmed, so it holds the batch's own messages and those of earlier batches).
 * - `ackWritten(id)` is called when the acknowledgement of the current connection's
 *   delivery `id` goes on the wire; `connectionClosed()` when the connection drops.
 * - Residual risk (documented, not handled): a distinct message with the same topic,
 *   payload and reused packet id, redelivered after a crash while its predecessor's
 *   acknowledgement was still unconfirmed, is taken for a copy. Mosquitto assigns packet
 *   ids sequentially, so a reuse needs 65,535 messages in between, while a barrier
 *   confirms within one round trip.
 */
export type DedupeVerdict = 'new' | 'duplicate';

export interface DeliveryEntry {
  readonly key: string;
  readonly messageId: number;
  /** Handed to the runtime in a batch (its record is, or will be, committed with the offset listing it). */
  read: boolean;
  /** Connection generation in which this message was last delivered. */
  seenGeneration: number;
  /** Sequence of its acknowledgement's write on connection `seenGeneration`; 0 = not written there. */
  ackSeq: number;
}

interface Barrier {
  readonly generation: number;
  readonly seq: number;
}

/** Offset field holding the entries ("<id base 36>:<digest>", comma separated). */
export const UNCONFIRMED_OFFSET_FIELD = 'mqtt.unconfirmed';
/** Offset field counting the redeliveries dropped so far (across restarts). */
export const DROPPED_OFFSET_FIELD = 'mqtt.redeliveries.dropped';

export class RedeliveryDedupe {
  private readonly entries = new Map<string, DeliveryEntry>();
  /** The current connection's deliveries whose acknowledgement is not written yet, by packet id. */
  private readonly awaitingAck = new Map<number, DeliveryEntry>();
  private generation = 0;
  private writeSeq = 0;
  private barrier: Barrier | null = null;
  /** Write sequence the last completed barrier confirmed. */
  private confirmedSeq = 0;
  /** Redeliveries dropped because their record was already written, since the first start (status, tests). */
  dropped = 0;

  /** Starts from the last committed batch's offset (`offsetFields` when it was read). */
  restore(offset: Readonly<Record<string, unknown>> | null): void {
    const count = offset?.[DROPPED_OFFSET_FIELD];
    if (typeof count === 'number' && Number.isSafeInteger(count) && count > 0) this.dropped = count;
    const stored = offset?.[UNCONFIRMED_OFFSET_FIELD];
    if (typeof stored !== 'string' || stored === '') return;
    for (const item of stored.split(',')) {
      const colon = item.indexOf(':');
      const messageId = parseInt(item.slice(0, colon), 36);
      if (colon <= 0 || !Number.isInteger(messageId)) continue;
      // seen on no connection of this process: removed by the first sweep unless redelivered
      this.entries.set(item, { key: item, messageId, read: true, seenGeneration: -1, ackSeq: 0 });
    }
  }

  take(messageId: number, topic: string, payload: Buffer, dup: boolean): { verdict: DedupeVerdict; entry: DeliveryEntry } {
    const key = `${messageId.toString(36)}:${digest(topic, payload)}`;
    const known = this.entries.get(key);
    if (known && dup) {
      known.seenGeneration = this.generation;
      known.ackSeq = 0;
      this.awaitingAck.set(messageId, known);
      this.dropped++;
      return { verdict: 'duplicate', entry: known };
    }
    const entry: DeliveryEntry = { key, messageId, read: false, seenGeneration: this.generation, ackSeq: 0 };
    this.entries.set(key, entry);
    this.awaitingAck.set(messageId, entry);
    return { verdict: 'new', entry };
  }

  read(entry: DeliveryEntry): void {
    entry.read = true;
  }

  ackWritten(messageId: number): void {
    const entry = this.awaitingAck.get(messageId);
    if (!entry) return;
    this.awaitingAck.delete(messageId);
    entry.ackSeq = ++this.writeSeq;
  }

  connectionClosed(): void {
    this.generation++;
    this.awaitingAck.clear();
    this.barrier = null;
  }

  /**
   * A barrier to send now, or null when none is useful (one outstanding on this
   * connection, or nothing to confirm). `force` sends one after a (re)connect.
   */
  barrierSent(force = false): Barrier | null {
    if (this.barrier !== null) return null;
    if (!force && this.writeSeq === this.confirmedSeq) return null;
    this.barrier = { generation: this.generation, seq: this.writeSeq };
    return this.barrier;
  }

  /** The broker answered `barrier`: drops the entries it confirms. True when another barrier is worth sending. */
  barrierDone(barrier: Barrier): boolean {
    if (barrier !== this.barrier || barrier.generation !== this.generation) return false;
    this.barrier = null;
    this.confirmedSeq = barrier.seq;
    for (const [key, e] of this.entries) {
      const acknowledged = e.seenGeneration === barrier.generation && e.ackSeq > 0 && e.ackSeq <= barrier.seq;
      const notRedelivered = e.seenGeneration < barrier.generation;
      if (acknowledged || notRedelivered) this.entries.delete(key);
    }
    return this.writeSeq > barrier.seq;
  }

  /** The offset fields of a batch: every entry read and not confirmed, and the dropped count. */
  offsetFields(): Record<string, string | number> {
    const keys: string[] = [];
    for (const e of this.entries.values()) if (e.read) keys.push(e.key);
    return { [UNCONFIRMED_OFFSET_FIELD]: keys.join(','), [DROPPED_OFFSET_FIELD]: this.dropped };
  }

  /** Entries tracked (read or not). */
  get size(): number {
    return this.entries.size;
  }
}

/** 72 bits of SHA-1 over topic and payload, base64url. */
function digest(topic: string, payload: Buffer): string {
  return createHash('sha1').update(topic).update('\u0000').update(payload).digest('base64url').slice(0, 12);
}
