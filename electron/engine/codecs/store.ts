// 'store': the payload is the raw bytes. Always a candidate, so no block ever grows by more than its row.
import { OctozipError, throwIfAborted } from '../errors.ts';
import type { Codec } from './codec.ts';

export function createStoreCodec(): Codec {
  return {
    id: 'store',
    models: [],
    params: {},
    async encodeBatch(chunks, signal) {
      throwIfAborted(signal);
      return chunks.map((chunk) => ({ payload: chunk }));
    },
    async decodeBatch(chunks, signal) {
      throwIfAborted(signal);
      return chunks.map(({ payload, rawSize }) => {
        if (payload.length !== rawSize) {
          throw new OctozipError('damaged', `A stored block holds ${payload.length} bytes where ${rawSize} were recorded.`);
        }
        return payload;
      });
    },
  };
}
