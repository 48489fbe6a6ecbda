// 'cm': the adaptive context-mixing coder (electron/engine/coder) on its own, without the network.
// Why a codec of its own: it decodes a whole chunk as one stream at a couple of hundred KB/s, while the neural
// codec needs one model call per decoded byte (docs/BENCHMARK.md); on the benchmark the network's prior
// gained little over this stage, so the default preset uses it and 'maximum' adds the network.
//
// Payload: version u8 (1) | tableBits u8 | arithmetic-coded bytes. tableBits is stored rather than derived from
// the chunk size, so a later change of the sizing rule cannot break old archives. Any change to
// electron/engine/coder that alters its output must bump PAYLOAD_VERSION (and the neural payload's), so an
// old archive is refused with a clear message instead of decoding to wrong bytes that only the checksums catch.
import { decodeBytes, encodeBytes } from '../coder/cm-stream.ts';
import { MAX_TABLE_BITS, MIN_TABLE_BITS, tableBitsFor } from '../coder/table-size.ts';
import { OctozipError, throwIfAborted } from '../errors.ts';
import type { Codec } from './codec.ts';

const PAYLOAD_VERSION = 1;
const HEADER_BYTES = 2;

export function encodeContextMixingChunk(chunk: Uint8Array): Uint8Array {
  const tableBits = tableBitsFor(chunk.length);
  const coded = encodeBytes(chunk, undefined, { tableBits });
  const payload = new Uint8Array(HEADER_BYTES + coded.length);
  payload[0] = PAYLOAD_VERSION;
  payload[1] = tableBits;
  payload.set(coded, HEADER_BYTES);
  return payload;
}

export function decodeContextMixingChunk(payload: Uint8Array, rawSize: number): Uint8Array {
  const damaged = (why: string) => new OctozipError('damaged', `A context-mixing chunk is damaged: ${why}.`);
  if (payload.length < HEADER_BYTES) throw damaged('it is shorter than its header');
  if (payload[0] !== PAYLOAD_VERSION) throw damaged(`its layout version is ${payload[0]}, this build reads ${PAYLOAD_VERSION}`);
  const tableBits = payload[1]!;
  if (tableBits < MIN_TABLE_BITS || tableBits > MAX_TABLE_BITS) throw damaged(`its table size 2^${tableBits} is out of range`);
  if (!Number.isSafeInteger(rawSize) || rawSize < 0) throw damaged(`its recorded size ${rawSize} is invalid`);
  // Damaged coded bytes decode to wrong bytes of the right length, never a hang; the engine's checksums catch them.
  return decodeBytes(payload.subarray(HEADER_BYTES), rawSize, undefined, { tableBits });
}

export function createContextMixingCodec(): Codec {
  return {
    id: 'cm',
    models: [],
    params: { payloadVersion: PAYLOAD_VERSION },
    async encodeBatch(chunks, signal) {
      const out = [];
      for (const chunk of chunks) {
        // Yield before each chunk: lets codecs started beside this one (brotli, on the thread pool) begin first,
        // and progress events and cancellation through between chunks.
        await new Promise((resolve) => setImmediate(resolve));
        throwIfAborted(signal);
        out.push({ payload: encodeContextMixingChunk(chunk) });
      }
      return out;
    },
    async decodeBatch(chunks, signal) {
      const out = [];
      for (const { payload, rawSize } of chunks) {
        throwIfAborted(signal);
        out.push(decodeContextMixingChunk(payload, rawSize));
        await new Promise((resolve) => setImmediate(resolve));
      }
      return out;
    },
  };
}
