/**
 * Fuzz target over the protocol decoders a broker runs on bytes from the network, in
 * the libFuzzer/Jazzer.js shape (`fuzz(data)`). Run by fuzz-run.ts's coverage-guided
 * fuzzer (a time-boxed run in `npm test` through decoders-fuzz.it.spec.ts, a long one in
 * `npm run soak`) on the compiled file dist/libs/protocol/fuzz/decoders.fuzz.js.
 *
 * Input layout: byte 0 picks the decoder, the rest is its input:
 *   0  decodeRequest(frame)        every API key and version (the header selects them)
 *   1  decodeBatches(records)      RecordBatch v2 parsing incl. decompression, CRC not checked
 *   2  decodeBatches(records)      with the CRC check (what Produce validation runs)
 *   3  decodeResponse(key, ver, frame)  bytes 1-2 give API key and version
 * A decoder may refuse its input only with its documented errors (ProtocolDecodeError,
 * UnsupportedVersionError, RecordDecodeError); anything else thrown is a finding.
 */
import { decodeBatches, decodeRequest, decodeResponse, ProtocolDecodeError, RecordDecodeError, UnsupportedVersionError } from '../src';

export const MODE_REQUEST = 0;
export const MODE_BATCHES = 1;
export const MODE_BATCHES_CRC = 2;
export const MODE_RESPONSE = 3;

function expected(err: unknown): boolean {
  return err instanceof ProtocolDecodeError || err instanceof UnsupportedVersionError || err instanceof RecordDecodeError;
}

/** One fuzz input; throws only on a finding. */
export function fuzz(data: Buffer): void {
  if (data.length === 0) return;
  const mode = data[0] % 4;
  try {
    if (mode === MODE_REQUEST) decodeRequest(data.subarray(1));
    else if (mode === MODE_BATCHES) decodeBatches(data.subarray(1), { verifyCrc: false });
    else if (mode === MODE_BATCHES_CRC) decodeBatches(data.subarray(1));
    else if (data.length >= 3) decodeResponse(data[1] % 70, data[2] % 16, data.subarray(3));
  } catch (err) {
    if (!expected(err)) throw err;
  }
}
