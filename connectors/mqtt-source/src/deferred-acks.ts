import type { MqttClient } from 'mqtt';

/**
 * Holds back an MQTT client's acknowledgements (PUBACK for QoS 1, PUBREC for QoS 2)
 * until the messages' records are committed in Kafka, without holding back delivery.
 *
 * Why not mqtt.js's own hooks: `customHandleAcks` and `handleMessage` make the client
 * wait for each message's acknowledgement before it parses the next packet, so a task
 * acknowledging after a Kafka commit would move one message per commit. Instead the
 * client is left to run at full speed and this class intercepts the acknowledgement
 * packets on their way out (the client's `_sendPacket`, the single exit of every packet
 * in mqtt.js 5): each is parked under its packet id and written once `release` says the
 * message is durable. The client's callback is answered at once, so parsing continues.
 *
 * Contracts:
 * - `expect(id)` is called when a QoS 1/2 message is taken (before its ack is sent);
 *   the returned ticket is handed to `release` after the commit.
 * - Acks are written in the order the messages arrived (MQTT requires PUBACKs in order),
 *   because the runtime commits batches in order and `release` is called per batch.
 * - A ticket from before a reconnect is dropped, never written on the new connection:
 *   the broker redelivers the unacknowledged message there (flagged dup) and that copy's
 *   ticket acknowledges it.
 * - Other packets (SUBSCRIBE, PINGREQ, DISCONNECT, reason-coded acks) pass untouched.
 * - `onWritten(id)` (optional) hears every parked acknowledgement the moment it goes to
 *   the client's socket, in wire order.
 */
export interface AckTicket {
  readonly messageId: number;
  readonly generation: number;
}

interface Parked {
  packet: object | null;
  committed: boolean;
}

type SendPacket = (packet: { cmd: string; messageId?: number; reasonCode?: number }, cb?: (err?: Error) => void, ...rest: unknown[]) => void;

export class DeferredAcks {
  private generation = 0;
  /** Per packet id: the ack packet once the client tried to send it, and whether its message is committed. */
  private readonly parked = new Map<number, Parked>();
  private readonly send: SendPacket;
  /** Acks written since start (for status and tests). */
  written = 0;

  constructor(
    private readonly client: MqttClient,
    private readonly onWritten?: (messageId: number) => void,
  ) {
    const target = client as unknown as { _sendPacket: SendPacket };
    if (typeof target._sendPacket !== 'function') throw new Error('this mqtt.js version has no _sendPacket: the acknowledgement hook needs mqtt 5.x');
    this.send = target._sendPacket.bind(client);
    target._sendPacket = (packet, cb, ...rest) => {
      const deferrable = (packet.cmd === 'puback' || packet.cmd === 'pubrec') && !packet.reasonCode && packet.messageId !== undefined;
      if (!deferrable) return this.send(packet, cb, ...rest);
      const entry = this.parked.get(packet.messageId!);
      if (!entry) return this.send(packet, cb, ...rest); // not one of ours (e.g. QoS 2 handled by the client alone)
      if (entry.committed) {
        this.parked.delete(packet.messageId!);
        this.written++;
        this.send(packet, cb, ...rest);
        this.onWritten?.(packet.messageId!);
        return;
      }
      entry.packet = packet;
      cb?.();
    };
    client.on('close', () => {
      // Acks of this connection can no longer be written; the broker redelivers their messages.
      this.generation++;
      this.parked.clear();
    });
  }

  /** Registers a QoS 1/2 message whose ack must wait; call before the client acknowledges it. */
  expect(messageId: number): AckTicket {
    this.parked.set(messageId, { packet: null, committed: false });
    return { messageId, generation: this.generation };
  }

  /** The messages of `tickets` are durable: write their acks (those of the current connection). */
  release(tickets: readonly AckTicket[]): void {
    for (const t of tickets) {
      if (t.generation !== this.generation) continue;
      const entry = this.parked.get(t.messageId);
      if (!entry) continue;
      if (entry.packet) {
        this.parked.delete(t.messageId);
        this.written++;
        this.send(entry.packet as { cmd: string });
        this.onWritten?.(t.messageId);
      } else entry.committed = true;
    }
  }

  /** Messages taken whose ack is not written yet. */
  get pending(): number {
    return this.parked.size;
  }
}
