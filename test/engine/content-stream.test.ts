// jobs/content-stream.ts on a real archive, through a decoder that records what it is asked: a block is decoded
// only up to the last byte an extraction wants (whole for verify), in block order, and a block that fails ends
// exactly the contents that lie in it.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OctozipError } from '../../electron/engine/errors.ts';
import { ArchiveReader } from '../../electron/engine/format/reader.ts';
import type { BlockRecord, ContentRecord } from '../../electron/engine/format/records.ts';
import { BlockDecoder } from '../../electron/engine/jobs/block-decoder.ts';
import { streamContents, type ContentEvent, type StreamOptions } from '../../electron/engine/jobs/content-stream.ts';
import { createArchiveWithSettings } from '../../electron/engine/jobs/create.ts';
import { PRESETS } from '../../electron/engine/presets.ts';
import { tempDir } from '../helpers/tree.ts';

const BLOCK = 4096;
const text = (seed: string, n: number) => Buffer.from(`${seed} `.repeat(Math.ceil(n / (seed.length + 1)))).subarray(0, n);
// Solid order is extension, then name: p1, p2, p3, then the large file, which starts in the first block and runs
// on through three more (3 x 1000 + 1096 | 4096 | 4096 | 712).
const FILES: Record<string, Buffer> = {
  'p1.txt': text('one', 1000),
  'p2.txt': text('two', 1000),
  'p3.txt': text('three', 1000),
  'z-large.txt': text('large', 10_000),
  'empty.txt': Buffer.alloc(0),
};

let root: string;
let cleanup: () => void;
let reader: ArchiveReader;
let real: BlockDecoder;

beforeAll(async () => {
  ({ dir: root, cleanup } = tempDir());
  fs.mkdirSync(path.join(root, 'src'));
  for (const [name, bytes] of Object.entries(FILES)) fs.writeFileSync(path.join(root, 'src', name), bytes);
  const archivePath = path.join(root, 'a.octz');
  await createArchiveWithSettings({ archivePath, inputs: ['.'], cwd: path.join(root, 'src') }, { ...PRESETS.fast, blockBytes: BLOCK });
  reader = ArchiveReader.open(archivePath);
  real = new BlockDecoder(reader, undefined, 1);
});
afterAll(async () => {
  await real.close();
  reader.close();
  cleanup();
});

function contentOf(name: string): ContentRecord {
  const entry = reader.entries().find((e) => e.path === name)!;
  return reader.contents().get(entry.contentId!)!;
}

interface DecodeCall {
  block: number;
  prefix: number;
  rawSize: number;
}

/** A decoder that records each request and passes it to the real one, or fails the blocks named in `failing`. */
function recordingDecoder(failing: ReadonlySet<number> = new Set()): { decoder: BlockDecoder; calls: DecodeCall[] } {
  const calls: DecodeCall[] = [];
  const fake = {
    decode(block: BlockRecord, prefix = block.rawSize): Promise<Uint8Array> {
      calls.push({ block: block.id, prefix, rawSize: block.rawSize });
      if (failing.has(block.id)) return Promise.reject(new OctozipError('damaged', `Block ${block.id} fails its payload checksum.`));
      return real.decode(block, prefix);
    },
  };
  return { decoder: fake as unknown as BlockDecoder, calls };
}

async function collect(contents: ContentRecord[], decoder: BlockDecoder, options: Partial<StreamOptions> = {}): Promise<ContentEvent[]> {
  const events: ContentEvent[] = [];
  for await (const event of streamContents(reader, decoder, contents, { wholeBlocks: false, threads: 3, ...options })) events.push(event);
  return events;
}

/** Each content's bytes joined, by content id, from the events that carried bytes. */
function bytesById(events: ContentEvent[]): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  for (const e of events) if (!e.error) out.set(e.content.id, Buffer.concat([out.get(e.content.id) ?? Buffer.alloc(0), e.bytes]));
  return out;
}

describe('the archive under test', () => {
  it('has the layout the cases below rely on', () => {
    const [first] = contentOf('p2.txt').slices;
    expect(first).toMatchObject({ offset: 1000, length: 1000 });
    const large = contentOf('z-large.txt').slices;
    expect(large.map((s) => s.length)).toEqual([1096, 4096, 4096, 712]);
    expect(large[0]!.blockId).toBe(first!.blockId);
  });
});

describe('streamContents', () => {
  it('decodes the block of a file in the middle only up to its last byte, and hands out exactly its bytes', async () => {
    const { decoder, calls } = recordingDecoder();
    const p2 = contentOf('p2.txt');
    const events = await collect([p2], decoder);
    const block = reader.blocks().get(p2.slices[0]!.blockId)!;
    expect(calls).toEqual([{ block: block.id, prefix: 2000, rawSize: BLOCK }]);
    expect(calls[0]!.prefix).toBeLessThan(calls[0]!.rawSize);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ last: true });
    expect(bytesById(events).get(p2.id)).toEqual(FILES['p2.txt']);
  });

  it('decodes whole blocks for verify, so every block hash is checked', async () => {
    const { decoder, calls } = recordingDecoder();
    const p2 = contentOf('p2.txt');
    const events = await collect([p2], decoder, { wholeBlocks: true });
    expect(calls).toEqual([{ block: p2.slices[0]!.blockId, prefix: BLOCK, rawSize: BLOCK }]);
    expect(bytesById(events).get(p2.id)).toEqual(FILES['p2.txt']);
  });

  it('follows a file across blocks in order; only its final piece is marked last', async () => {
    const { decoder, calls } = recordingDecoder();
    const large = contentOf('z-large.txt');
    const events = await collect([large], decoder);
    expect(calls.map((c) => c.block)).toEqual(large.slices.map((s) => s.blockId));
    // Each block up to where the file ends in it: the file runs to the end of every block it lies in.
    expect(calls.map((c) => c.prefix)).toEqual(calls.map((c) => c.rawSize));
    expect(events.map((e) => (e.error ? 'error' : e.last))).toEqual([false, false, false, true]);
    expect(bytesById(events).get(large.id)).toEqual(FILES['z-large.txt']);
  });

  it('decodes each block once for several files, up to the last one wanted', async () => {
    const { decoder, calls } = recordingDecoder();
    const wanted = [contentOf('p3.txt'), contentOf('p1.txt')];
    const events = await collect(wanted, decoder);
    expect(calls).toEqual([{ block: wanted[0]!.slices[0]!.blockId, prefix: 3000, rawSize: BLOCK }]);
    // Handed out in block order, whatever order they were asked in.
    expect(events.map((e) => e.content.id)).toEqual([wanted[1]!.id, wanted[0]!.id]);
    const bytes = bytesById(events);
    expect(bytes.get(wanted[0]!.id)).toEqual(FILES['p3.txt']);
    expect(bytes.get(wanted[1]!.id)).toEqual(FILES['p1.txt']);
  });

  it('an empty file needs no block at all', async () => {
    const { decoder, calls } = recordingDecoder();
    const empty = contentOf('empty.txt');
    const events = await collect([empty], decoder);
    expect(calls).toEqual([]);
    expect(events).toEqual([{ content: empty, bytes: new Uint8Array(0), last: true }]);
  });

  it('a block that fails ends the contents lying in it, with one error each, and no others', async () => {
    const large = contentOf('z-large.txt');
    const third = large.slices[2]!.blockId;
    const { decoder } = recordingDecoder(new Set([third]));
    const all = ['p1.txt', 'p2.txt', 'p3.txt', 'z-large.txt'].map(contentOf);
    const events = await collect(all, decoder);
    const errors = events.filter((e) => e.error);
    expect(errors.map((e) => e.content.id)).toEqual([large.id]);
    expect(errors[0]!.error!.code).toBe('damaged');
    // Nothing follows the error for that content; the small files, in a good block, came out whole.
    const lastForLarge = events.map((e) => e.content.id).lastIndexOf(large.id);
    expect(events[lastForLarge]!.error).toBeDefined();
    const bytes = bytesById(events);
    for (const name of ['p1.txt', 'p2.txt', 'p3.txt']) expect(bytes.get(contentOf(name).id), name).toEqual(FILES[name]);
  });

  it('refuses a content whose record is impossible without decoding anything', async () => {
    const { decoder, calls } = recordingDecoder();
    const large = contentOf('z-large.txt');
    const backwards: ContentRecord = { ...large, slices: [...large.slices].reverse() };
    const flagged: ContentRecord = { ...contentOf('p1.txt'), problem: 'Content 0 points past the end of block 1.' };
    const events = await collect([backwards, flagged], decoder);
    expect(calls).toEqual([]);
    expect(events.map((e) => e.error?.code)).toEqual(['damaged', 'damaged']);
    expect(events[0]!.error!.message).toMatch(/run backwards or overlap/);
  });
});
