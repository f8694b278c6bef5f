import { EventEmitter } from 'node:events';
import type { MqttClient } from 'mqtt';
import { DeferredAcks } from './deferred-acks';

/** The one method of mqtt.js's client the hook wraps, recording what reaches the wire. */
class FakeClient extends EventEmitter {
  readonly wire: string[] = [];
  _sendPacket(packet: { cmd: string; messageId?: number }, cb?: () => void): void {
    this.wire.push(`${packet.cmd}:${packet.messageId ?? ''}`);
    cb?.();
  }
}

describe('DeferredAcks', () => {
  let client: FakeClient;
  let acks: DeferredAcks;
  const send = (cmd: string, messageId?: number): boolean => {
    let answered = false;
    (client as unknown as { _sendPacket: (p: object, cb: () => void) => void })._sendPacket({ cmd, messageId }, () => (answered = true));
    return answered;
  };

  beforeEach(() => {
    client = new FakeClient();
    acks = new DeferredAcks(client as unknown as MqttClient);
  });

  it('parks the acks of expected messages until released, answering the client at once', () => {
    const a = acks.expect(1);
    const b = acks.expect(2);
    expect(send('puback', 1)).toBe(true);
    expect(send('pubrec', 2)).toBe(true);
    expect(client.wire).toEqual([]);
    acks.release([a, b]);
    expect(client.wire).toEqual(['puback:1', 'pubrec:2']);
    expect(acks.pending).toBe(0);
  });

  it('writes an ack at once when its message was committed before the client sent it', () => {
    const a = acks.expect(5);
    acks.release([a]);
    expect(client.wire).toEqual([]);
    send('puback', 5);
    expect(client.wire).toEqual(['puback:5']);
  });

  it('lets other packets and acks of unknown ids through', () => {
    send('subscribe', 9);
    send('pingreq');
    send('puback', 42);
    expect(client.wire).toEqual(['subscribe:9', 'pingreq:', 'puback:42']);
  });

  it('drops acks of a closed connection: the broker redelivers those messages', () => {
    const a = acks.expect(1);
    send('puback', 1);
    client.emit('close');
    acks.release([a]);
    expect(client.wire).toEqual([]);
    const again = acks.expect(1); // the redelivered copy on the new connection
    send('puback', 1);
    acks.release([again]);
    expect(client.wire).toEqual(['puback:1']);
  });
});

describe('DeferredAcks onWritten', () => {
  it('reports each parked acknowledgement when it reaches the wire, in wire order', () => {
    const client = new FakeClient();
    const heard: number[] = [];
    const acks = new DeferredAcks(client as unknown as MqttClient, (id) => heard.push(id));
    const send = (id: number): void => (client as unknown as { _sendPacket: (p: object, cb: () => void) => void })._sendPacket({ cmd: 'puback', messageId: id }, () => undefined);
    const a = acks.expect(1);
    const b = acks.expect(2);
    send(1);
    acks.release([b]);
    expect(heard).toEqual([]);
    send(2);
    expect(heard).toEqual([2]);
    acks.release([a]);
    expect(heard).toEqual([2, 1]);
    expect(client.wire).toEqual(['puback:2', 'puback:1']);
  });
});
