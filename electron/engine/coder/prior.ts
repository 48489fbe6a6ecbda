// A prior: the learned statistics of a predictor that has read a body of text (context counters, mixer
// weights, APMs, the match model's confidence), saved so that another predictor can start from them instead of
// from nothing. A cold predictor spends the first tens of kilobytes of every stream learning what English
// words look like; a primed one already knows. Positions and history are not part of it: a prior carries
// statistics, not text, and a stream coded with it starts at position 0 like any other.
//
// File layout (all integers little-endian):
//   magic "OZPRIOR1" | tableBits u32 | section count u32
//   | per section: name length u32 | name (ASCII, zero-padded to a multiple of 4) | element count u32 | int32 elements
// The bytes are identified by their SHA-256 (resources/prior.json); nothing here is trusted before that check.

export interface PredictorPrior {
  /** The hashed-context table's size; a predictor that uses this prior must use the same. */
  readonly tableBits: number;
  readonly sections: ReadonlyMap<string, Int32Array>;
}

const MAGIC = 'OZPRIOR1';
/** Typed arrays use the host's byte order; the file is little-endian, so a copy suffices on little-endian hosts. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function padded(n: number): number {
  return (n + 3) & ~3;
}

export function serializePrior(prior: PredictorPrior): Uint8Array {
  let size = MAGIC.length + 8;
  for (const [name, data] of prior.sections) size += 8 + padded(name.length) + 4 * data.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const ch of MAGIC) out[at++] = ch.charCodeAt(0);
  view.setUint32(at, prior.tableBits, true);
  view.setUint32(at + 4, prior.sections.size, true);
  at += 8;
  for (const [name, data] of prior.sections) {
    if (!/^[a-z0-9.]+$/.test(name)) throw new RangeError(`bad section name ${name}`);
    view.setUint32(at, name.length, true);
    at += 4;
    for (let i = 0; i < name.length; i++) out[at + i] = name.charCodeAt(i);
    at += padded(name.length);
    view.setUint32(at, data.length, true);
    at += 4;
    if (LITTLE_ENDIAN) out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at);
    else for (let i = 0; i < data.length; i++) view.setInt32(at + 4 * i, data[i]!, true);
    at += 4 * data.length;
  }
  return out;
}

/**
 * Reads a serialized prior. Sections are views into `bytes` where alignment allows (no copy of ~80 MB), so a
 * predictor that adopts them changes `bytes`: parse a copy of its own for each predictor.
 */
export function parsePrior(bytes: Uint8Array): PredictorPrior {
  const fail = (why: string): never => {
    throw new RangeError(`not a predictor prior: ${why}`);
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const u32 = (): number => {
    if (at + 4 > bytes.length) fail('truncated');
    const v = view.getUint32(at, true);
    at += 4;
    return v;
  };
  if (bytes.length < MAGIC.length || String.fromCharCode(...bytes.subarray(0, MAGIC.length)) !== MAGIC) fail('bad magic');
  at = MAGIC.length;
  const tableBits = u32();
  const count = u32();
  const sections = new Map<string, Int32Array>();
  for (let s = 0; s < count; s++) {
    const nameLength = u32();
    if (nameLength > 64 || at + nameLength > bytes.length) fail('bad section name');
    const name = String.fromCharCode(...bytes.subarray(at, at + nameLength));
    at += padded(nameLength);
    const n = u32();
    if (at + 4 * n > bytes.length) fail(`section ${name} truncated`);
    let data: Int32Array;
    if (LITTLE_ENDIAN && (bytes.byteOffset + at) % 4 === 0) data = new Int32Array(bytes.buffer, bytes.byteOffset + at, n);
    else {
      data = new Int32Array(n);
      for (let i = 0; i < n; i++) data[i] = view.getInt32(at + 4 * i, true);
    }
    at += 4 * n;
    sections.set(name, data);
  }
  if (at !== bytes.length) fail('trailing bytes');
  return { tableBits, sections };
}

/**
 * Where a section's values go: an array of exactly `length` elements, null for a section the predictor does not
 * use (it is skipped), or a RangeError for a section it lacks.
 */
export type SectionTarget = (name: string, length: number) => Int32Array | null;

/** A skipped section still passes through `seen` (for the file's SHA-256), read in pieces of this size. */
const SKIP_PIECE = 1 << 20;

/**
 * Reads a serialized prior of `size` bytes straight into the arrays `target` hands out, without a copy of the
 * whole file in between (~80 MB of fresh memory). read(into, position) must fill `into` from the file at
 * `position`; every byte passes through `seen` in file order (for its SHA-256; null: the file is already
 * verified, and skipped sections are not read at all). Returns the tableBits.
 */
export function readPriorInto(
  read: (into: Uint8Array, position: number) => void,
  size: number,
  target: SectionTarget,
  seen: ((bytes: Uint8Array) => void) | null,
): number {
  const fail = (why: string): never => {
    throw new RangeError(`not a predictor prior: ${why}`);
  };
  let at = 0;
  const bytes = (n: number): Uint8Array => {
    if (at + n > size) fail('truncated');
    const out = new Uint8Array(n);
    read(out, at);
    seen?.(out);
    at += n;
    return out;
  };
  const u32 = (): number => new DataView(bytes(4).buffer).getUint32(0, true);
  if (String.fromCharCode(...bytes(MAGIC.length)) !== MAGIC) fail('bad magic');
  const tableBits = u32();
  const count = u32();
  for (let s = 0; s < count; s++) {
    const nameLength = u32();
    if (nameLength > 64) fail('bad section name');
    const name = String.fromCharCode(...bytes(padded(nameLength)).subarray(0, nameLength));
    const n = u32();
    if (at + 4 * n > size) fail(`section ${name} truncated`);
    const data = target(name, n);
    if (!data) {
      if (seen) skipSection(read, at, 4 * n, seen);
      at += 4 * n;
      continue;
    }
    const raw = LITTLE_ENDIAN ? new Uint8Array(data.buffer, data.byteOffset, 4 * n) : new Uint8Array(4 * n);
    read(raw, at);
    seen?.(raw);
    if (!LITTLE_ENDIAN) {
      const view = new DataView(raw.buffer);
      for (let i = 0; i < n; i++) data[i] = view.getInt32(4 * i, true);
    }
    at += 4 * n;
  }
  if (at !== size) fail('trailing bytes');
  return tableBits;
}

/** Passes a section nobody keeps through `seen`, through one small buffer. */
function skipSection(read: (into: Uint8Array, position: number) => void, from: number, length: number, seen: (bytes: Uint8Array) => void): void {
  const piece = new Uint8Array(Math.min(SKIP_PIECE, length));
  for (let at = 0; at < length; at += piece.length) {
    const part = piece.subarray(0, Math.min(piece.length, length - at));
    read(part, from + at);
    seen(part);
  }
}
