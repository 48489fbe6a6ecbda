// One unambiguous byte encoding for everything we authenticate (chunk AAD, entry AAD, the header MAC):
// each field is a type tag plus a length prefix, so no two different field lists can encode to the same bytes
// ("ab"+"c" vs "a"+"bc", the number 1 vs the string "1").

export type CanonicalField = string | number | bigint | Uint8Array | null;

const TAG_NULL = 0;
const TAG_INT = 1;
const TAG_STRING = 2;
const TAG_BYTES = 3;

export function canonicalBytes(fields: readonly CanonicalField[]): Buffer {
  const parts: Buffer[] = [];
  for (const field of fields) {
    if (field === null) {
      parts.push(Buffer.from([TAG_NULL]));
    } else if (typeof field === 'number' || typeof field === 'bigint') {
      if (typeof field === 'number' && !Number.isSafeInteger(field)) {
        throw new RangeError(`canonicalBytes: ${field} is not a safe integer`);
      }
      const head = Buffer.alloc(9);
      head[0] = TAG_INT;
      head.writeBigInt64BE(BigInt(field), 1);
      parts.push(head);
    } else {
      const body = typeof field === 'string' ? Buffer.from(field, 'utf8') : Buffer.from(field);
      const head = Buffer.alloc(5);
      head[0] = typeof field === 'string' ? TAG_STRING : TAG_BYTES;
      head.writeUInt32BE(body.length, 1);
      parts.push(head, body);
    }
  }
  return Buffer.concat(parts);
}
