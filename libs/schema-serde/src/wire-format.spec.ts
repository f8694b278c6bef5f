import { decodeFrame, encodeFrame, frameSchemaId, WireFormatError } from './wire-format';

describe('Confluent wire format', () => {
  it('encodes magic byte, big-endian id, payload', () => {
    expect([...encodeFrame(0x01020304, Buffer.from([0xaa, 0xbb]))]).toEqual([0x00, 0x01, 0x02, 0x03, 0x04, 0xaa, 0xbb]);
    expect([...encodeFrame(1, Buffer.alloc(0))]).toEqual([0, 0, 0, 0, 1]);
  });

  it('decodes what it encodes, as a view', () => {
    const frame = encodeFrame(2147483647, Buffer.from('hi'));
    const { schemaId, payload } = decodeFrame(frame);
    expect(schemaId).toBe(2147483647);
    expect(payload.toString()).toBe('hi');
    expect(payload.buffer).toBe(frame.buffer);
  });

  it('rejects short buffers, unknown magic bytes and bad ids with clear errors', () => {
    expect(() => decodeFrame(Buffer.from([0, 0, 0]))).toThrow(new WireFormatError('Buffer too short for the Confluent wire format: 3 byte(s), need at least 5 (magic byte + 4-byte schema id)'));
    expect(() => decodeFrame(Buffer.from([1, 0, 0, 0, 1]))).toThrow('Unknown magic byte 0x01: expected 0x00');
    expect(() => decodeFrame(Buffer.from([0, 0xff, 0xff, 0xff, 0xff]))).toThrow('Invalid schema id -1');
    expect(() => encodeFrame(-1, Buffer.alloc(0))).toThrow(WireFormatError);
    expect(() => encodeFrame(1.5, Buffer.alloc(0))).toThrow(WireFormatError);
  });

  test('frameSchemaId reads the id of a framed buffer and answers undefined where decodeFrame would throw', () => {
    expect(frameSchemaId(encodeFrame(0x01020304, Buffer.from([7])))).toBe(0x01020304);
    expect(frameSchemaId(encodeFrame(0, Buffer.alloc(0)))).toBe(0);
    expect(frameSchemaId(Buffer.from([0, 0, 0, 1]))).toBeUndefined();
    expect(frameSchemaId(Buffer.from([1, 0, 0, 0, 1, 9]))).toBeUndefined();
    expect(frameSchemaId(Buffer.from([0, 0xff, 0xff, 0xff, 0xff, 9]))).toBeUndefined();
  });
});
