// The 'cm' codec: context mixing alone, through the Codec interface and through a real archive.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createArchive, extractArchive, verifyArchive } from '../../electron/engine/index.ts';
import { createContextMixingCodec, decodeContextMixingChunk, encodeContextMixingChunk } from '../../electron/engine/codecs/context-mixing.ts';
import { priorStore } from '../../electron/engine/model/prior-store.ts';
import { OctozipError } from '../../electron/engine/errors.ts';
import { LATEST_REVISION } from '../../electron/engine/coder/wasm-coder.ts';
import { contextMixingTableBits, LARGE_TABLE_MIN_BYTES } from '../../electron/engine/coder/table-size.ts';

const text = new TextEncoder().encode(
  'The quick brown fox jumps over the lazy dog.\r\nPack my box with five dozen liquor jugs.\n'.repeat(200),
);

describe("the 'cm' codec", () => {
  it('round-trips a batch of chunks of different kinds, each decoding alone', async () => {
    const codec = createContextMixingCodec();
    const random = new Uint8Array(5000).map((_, i) => (i * 2654435761) >>> 24);
    const chunks = [text, new Uint8Array(0), Uint8Array.of(7), random];
    const encoded = await codec.encodeBatch(chunks);
    const decoded = await codec.decodeBatch(encoded.map((e, i) => ({ payload: e.payload, rawSize: chunks[i]!.length })));
    decoded.forEach((d, i) => expect(Buffer.from(d).equals(Buffer.from(chunks[i]!))).toBe(true));
    // Repetitive text must shrink far below its size: the adaptive stage is really coding.
    expect(encoded[0]!.payload.length).toBeLessThan(text.length / 20);
  });

  it('decodes any prefix of a chunk, primed and cold, and refuses a prefix longer than the chunk', () => {
    const long = new TextEncoder().encode('A solid block holds many files; extracting one stops at its last byte.\n'.repeat(400));
    for (const store of [priorStore(), null]) {
      const payload = encodeContextMixingChunk(long, store);
      expect(payload[2]).toBe(store ? 1 : 0);
      for (const n of [0, 1, 4097, long.length - 1, long.length]) {
        expect(decodeContextMixingChunk(payload, long.length, store, n)).toEqual(long.subarray(0, n));
      }
      expect(() => decodeContextMixingChunk(payload, long.length, store, long.length + 1)).toThrow(RangeError);
    }
  });

  it('refuses a payload whose header is damaged, with a typed error', async () => {
    const codec = createContextMixingCodec();
    const [{ payload }] = await codec.encodeBatch([text]);
    const bad = [
      payload.subarray(0, 2), // shorter than the header
      Uint8Array.from([0xff, ...payload.subarray(1)]), // unknown version
      Uint8Array.from([2, ...payload.subarray(1)]), // a version before any this build reads: refused rather than misdecoded
      Uint8Array.from([LATEST_REVISION + 1, ...payload.subarray(1)]), // a later coder's version, likewise
      Uint8Array.from([payload[0]!, 40, ...payload.subarray(2)]), // table size out of range
      Uint8Array.from([payload[0]!, payload[1]!, 4, ...payload.subarray(3)]), // unknown flag
    ];
    for (const b of bad) {
      await expect(codec.decodeBatch([{ payload: b, rawSize: text.length }])).rejects.toBeInstanceOf(OctozipError);
    }
  });

  it('refuses a table size its revision never wrote: above 2^24 before revision 8, above 2^25, or not the prior\'s (before 8) or below it', () => {
    const store = priorStore();
    const cold = encodeContextMixingChunk(text, null);
    const primed = encodeContextMixingChunk(text, store);
    expect([cold[0], primed[0], primed[1]]).toEqual([LATEST_REVISION, LATEST_REVISION, 24]);
    const withHeader = (payload: Uint8Array, version: number, tableBits: number) => Uint8Array.from([version, tableBits, ...payload.subarray(2)]);
    const refused = [
      [withHeader(cold, 7, 25), /out of range/],
      [withHeader(cold, 8, 26), /out of range/],
      [withHeader(primed, 7, 25), /out of range/],
      [withHeader(primed, 7, 23), /does not fit the prior/],
      [withHeader(primed, 8, 23), /does not fit the prior/],
      [withHeader(cold, 9, 26), /out of range/],
      [withHeader(primed, 9, 23), /does not fit the prior/],
      [withHeader(cold, 10, 26), /out of range/],
      [withHeader(primed, 10, 23), /does not fit the prior/],
      [withHeader(cold, 11, 20), /layout version is 11/],
    ] as const;
    for (const [payload, why] of refused) {
      expect(() => decodeContextMixingChunk(payload, text.length, store)).toThrow(why);
      expect(() => decodeContextMixingChunk(payload, text.length, store)).toThrow(OctozipError);
    }
    // What revisions 8 to 10 may write decodes (to wrong bytes when the size was not the encoder's: checksums catch them).
    for (const revision of [8, 9, 10]) {
      expect(decodeContextMixingChunk(withHeader(cold, revision, 25), text.length, store)).toHaveLength(text.length);
      expect(decodeContextMixingChunk(withHeader(primed, revision, 25), text.length, store)).toHaveLength(text.length);
    }
  });

  it('gives blocks of 4 MiB and more the larger table from revision 8, and a primed block never less than its prior', () => {
    const MiB = 1024 * 1024;
    expect([1000, 64 * 1024, 4 * MiB - 1, 4 * MiB, 64 * MiB].map((n) => contextMixingTableBits(n))).toEqual([16, 22, 24, 25, 25]);
    expect([1000, 4 * MiB - 1, 4 * MiB].map((n) => contextMixingTableBits(n, 24))).toEqual([24, 24, 25]);
    expect(LARGE_TABLE_MIN_BYTES).toBe(4 * MiB);
  });

  it('is what the balanced preset stores text with, and the archive extracts and verifies', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'octozip-cm-'));
    fs.writeFileSync(path.join(root, 'notes.txt'), text);
    const archivePath = path.join(root, 'notes.octz');
    const summary = await createArchive({ archivePath, inputs: ['notes.txt'], cwd: root, preset: 'balanced' });
    expect(summary.rawBytesByCodec).toEqual({ cm: text.length });
    expect((await verifyArchive({ archivePath })).ok).toBe(true);
    const out = path.join(root, 'out');
    await extractArchive({ archivePath, destDir: out });
    expect(fs.readFileSync(path.join(out, 'notes.txt')).equals(Buffer.from(text))).toBe(true);
    fs.rmSync(root, { recursive: true, force: true });
  });
});
