// The archive cipher on its own: every promise the format relies on (tamper detection, binding to place,
// wrong password fails fast, hostile KDF parameters refused) checked against the real Node crypto.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ArchiveCipher, type BlockPlace, type ChunkPlace } from '../../electron/engine/crypto/archive-cipher.ts';
import { canonicalBytes } from '../../electron/engine/crypto/canonical-bytes.ts';
import { parseEncryptionRecord } from '../../electron/engine/crypto/encryption-record.ts';
import { OctozipError } from '../../electron/engine/errors.ts';

const FAST_KDF = { logN: 14, r: 8, p: 1 };
const place: ChunkPlace = { contentId: 7, sequence: 2, codec: 'brotli', rawSize: 4096 };
const blockPlace: BlockPlace = { blockId: 7, role: 'data', codec: 'cm', rawSize: 8 * 1024 * 1024 };

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof OctozipError ? err.code : `not an OctozipError: ${String(err)}`;
  }
  return undefined;
}

async function asyncCodeOf(fn: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await fn();
  } catch (err) {
    return err instanceof OctozipError ? err.code : `not an OctozipError: ${String(err)}`;
  }
  return undefined;
}

let cipher: ArchiveCipher;
let other: ArchiveCipher;

beforeAll(async () => {
  cipher = await ArchiveCipher.create('correct horse', { encryptNames: true, kdfCost: FAST_KDF });
  // Same password, another archive: its keys must not open this archive's blobs.
  other = await ArchiveCipher.create('correct horse', { encryptNames: true, kdfCost: FAST_KDF });
});

describe('block sealing (format 2)', () => {
  it('round-trips payloads of any size', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), (payload) => {
        const sealed = cipher.sealBlock(blockPlace, payload);
        expect(sealed.length).toBe(payload.length + 28);
        expect(Buffer.compare(cipher.openBlock(blockPlace, sealed), Buffer.from(payload))).toBe(0);
      }),
      { seed: 3, numRuns: 200 },
    );
  });

  it('detects any single flipped bit anywhere in the sealed blob', () => {
    const sealed = cipher.sealBlock(blockPlace, Buffer.from('solid block bytes '.repeat(30)));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: sealed.length * 8 - 1 }), (bit) => {
        const bad = Buffer.from(sealed);
        bad[bit >> 3] ^= 1 << (bit & 7);
        expect(codeOf(() => cipher.openBlock(blockPlace, bad))).toBe('damaged');
      }),
      { seed: 4, numRuns: 300 },
    );
  });

  it('binds a block to its id, role, codec and raw size', () => {
    const sealed = cipher.sealBlock(blockPlace, Buffer.from('payload'));
    expect(cipher.openBlock(blockPlace, sealed).toString()).toBe('payload');
    const moved: BlockPlace[] = [
      { ...blockPlace, blockId: 8 },
      { ...blockPlace, role: 'entries' },
      { ...blockPlace, role: 'contents' },
      { ...blockPlace, codec: 'brotli' },
      { ...blockPlace, rawSize: blockPlace.rawSize - 1 },
    ];
    for (const p of moved) expect(codeOf(() => cipher.openBlock(p, sealed))).toBe('damaged');
  });

  it('a block from another archive with the same password, or a format-1 chunk, does not open', () => {
    expect(codeOf(() => cipher.openBlock(blockPlace, other.sealBlock(blockPlace, Buffer.from('payload'))))).toBe('damaged');
    // Same key, another label: a chunk blob cannot pass for a block.
    const chunk = cipher.sealChunk({ contentId: 7, sequence: 0, codec: 'cm', rawSize: blockPlace.rawSize }, Buffer.from('payload'));
    expect(codeOf(() => cipher.openBlock(blockPlace, chunk))).toBe('damaged');
  });

  it('never shows the plaintext, and never repeats a ciphertext for equal plaintexts', () => {
    const marker = Buffer.from('SECRET-MARKER-0123456789'.repeat(8));
    const a = cipher.sealBlock(blockPlace, marker);
    expect(a.includes(Buffer.from('SECRET-MARKER'))).toBe(false);
    expect(a.equals(cipher.sealBlock(blockPlace, marker))).toBe(false);
  });
});

describe('chunk sealing (format 1, still opened)', () => {
  it('round-trips payloads of any size', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), (payload) => {
        const sealed = cipher.sealChunk(place, payload);
        expect(sealed.length).toBe(payload.length + 28);
        expect(Buffer.compare(cipher.openChunk(place, sealed), Buffer.from(payload))).toBe(0);
      }),
      { seed: 1, numRuns: 200 },
    );
  });

  it('detects any single flipped bit anywhere in the sealed blob', () => {
    const payload = Buffer.from('the quick brown fox jumps over the lazy dog '.repeat(20));
    const sealed = cipher.sealChunk(place, payload);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: sealed.length * 8 - 1 }), (bit) => {
        const bad = Buffer.from(sealed);
        bad[bit >> 3] ^= 1 << (bit & 7);
        expect(codeOf(() => cipher.openChunk(place, bad))).toBe('damaged');
      }),
      { seed: 2, numRuns: 300 },
    );
  });

  it('detects truncation and extension', () => {
    const sealed = cipher.sealChunk(place, Buffer.alloc(100, 1));
    for (const cut of [0, 1, 12, 27, 28, 50, sealed.length - 1]) {
      expect(codeOf(() => cipher.openChunk(place, sealed.subarray(0, cut)))).toBe('damaged');
    }
    expect(codeOf(() => cipher.openChunk(place, Buffer.concat([sealed, Buffer.from([0])])))).toBe('damaged');
  });

  it('binds a chunk to its content, sequence, codec and raw size', () => {
    const sealed = cipher.sealChunk(place, Buffer.from('payload'));
    const moved: ChunkPlace[] = [
      { ...place, contentId: 8 },
      { ...place, sequence: 3 },
      { ...place, codec: 'store' },
      { ...place, rawSize: 4097 },
    ];
    for (const p of moved) expect(codeOf(() => cipher.openChunk(p, sealed))).toBe('damaged');
  });

  it('a blob from another archive with the same password does not open', () => {
    const sealed = other.sealChunk(place, Buffer.from('payload'));
    expect(codeOf(() => cipher.openChunk(place, sealed))).toBe('damaged');
  });

  it('never shows the plaintext, and never repeats a ciphertext for equal plaintexts', () => {
    const marker = Buffer.from('SECRET-MARKER-0123456789'.repeat(8));
    const a = cipher.sealChunk(place, marker);
    const b = cipher.sealChunk(place, marker);
    expect(a.includes(Buffer.from('SECRET-MARKER'))).toBe(false);
    expect(a.equals(b)).toBe(false);
  });
});

describe('entry sealing', () => {
  const entry = {
    path: 'dir/naïve file.txt',
    type: 'file' as const,
    mode: 0o644,
    mtimeMs: 1_700_000_000_123,
    size: 12,
    sha256: createHash('sha256').update('hello world\n').digest('hex'),
  };

  it('round-trips and hides the name', () => {
    const sealed = cipher.sealEntry(5, 9, entry);
    expect(sealed.includes(Buffer.from('file.txt'))).toBe(false);
    expect(cipher.openEntry(5, 9, sealed)).toEqual(entry);
  });

  it('detects flips and moves to another entry id or content', () => {
    const sealed = cipher.sealEntry(5, 9, entry);
    for (let bit = 0; bit < sealed.length * 8; bit += 7) {
      const bad = Buffer.from(sealed);
      bad[bit >> 3] ^= 1 << (bit & 7);
      expect(codeOf(() => cipher.openEntry(5, 9, bad))).toBe('damaged');
    }
    expect(codeOf(() => cipher.openEntry(6, 9, sealed))).toBe('damaged');
    expect(codeOf(() => cipher.openEntry(5, 10, sealed))).toBe('damaged');
    expect(codeOf(() => cipher.openEntry(5, null, sealed))).toBe('damaged');
  });

  it('the entry-list digest changes when an entry is removed, duplicated or reordered', () => {
    const blobs = [1, 2, 3].map((id) => cipher.sealEntry(id, id, { ...entry, path: `f${id}` }));
    const digest = (ids: number[]) => {
      const d = cipher.entryListDigest();
      for (const id of ids) d.add(id, blobs[id - 1]);
      return d.finish();
    };
    const base = digest([1, 2, 3]);
    expect(digest([1, 2, 3])).toBe(base);
    expect(digest([1, 3])).not.toBe(base);
    expect(digest([1, 2, 2, 3])).not.toBe(base);
    expect(digest([2, 1, 3])).not.toBe(base);
  });
});

describe('header MAC', () => {
  const header: [string, string][] = [
    ['format_version', '1'],
    ['creator', 'octozip 0.1.0'],
    ['codec_params', '{"brotli":{"quality":9}}'],
  ];

  it('accepts the header in any order and rejects any change', () => {
    const mac = cipher.headerMac(header);
    expect(() => cipher.verifyHeaderMac([...header].reverse(), mac)).not.toThrow();
    const changed: [string, string][][] = [
      [['format_version', '2'], header[1], header[2]],
      header.slice(1),
      [...header, ['extra', '']],
      [['format_versio', 'n1'], header[1], header[2]],
    ];
    for (const h of changed) expect(codeOf(() => cipher.verifyHeaderMac(h, mac))).toBe('damaged');
    expect(codeOf(() => cipher.verifyHeaderMac(header, undefined))).toBe('damaged');
    expect(codeOf(() => cipher.verifyHeaderMac(header, 'zz'))).toBe('damaged');
    expect(codeOf(() => other.verifyHeaderMac(header, mac))).toBe('damaged');
  });

  it('canonical bytes never collide on shifted boundaries or types', () => {
    expect(canonicalBytes(['ab', 'c']).equals(canonicalBytes(['a', 'bc']))).toBe(false);
    expect(canonicalBytes([1]).equals(canonicalBytes(['1']))).toBe(false);
    expect(canonicalBytes([null]).equals(canonicalBytes(['']))).toBe(false);
  });
});

describe('passwords and the stored record', () => {
  it('unlocks with the right password (NFC and NFD spellings alike) and fails fast with a wrong one', async () => {
    const nfc = await ArchiveCipher.create('café', { kdfCost: FAST_KDF });
    const text = JSON.stringify(nfc.record);
    const sealed = nfc.sealChunk(place, Buffer.from('x'));
    const reopened = await ArchiveCipher.unlock(text, 'cafe\u0301');
    expect(reopened.openChunk(place, sealed).toString()).toBe('x');
    expect(await asyncCodeOf(() => ArchiveCipher.unlock(text, 'cafe'))).toBe('wrong-password');
    expect(await asyncCodeOf(() => ArchiveCipher.unlock(text, undefined))).toBe('password-required');
    expect(await asyncCodeOf(() => ArchiveCipher.unlock(text, ''))).toBe('password-required');
    expect(await asyncCodeOf(() => ArchiveCipher.create(''))).toBe('password-required');
  });

  it('keeps the KDF parameters in the record, and the default cost is at least scrypt N=2^15, r=8', async () => {
    const c = await ArchiveCipher.create('pw');
    expect(c.record.kdf.logN).toBeGreaterThanOrEqual(15);
    expect(c.record.kdf.r).toBe(8);
    expect(c.record.kdf.salt).toMatch(/^[0-9a-f]{64}$/);
    expect(c.record.kdf.salt).not.toBe(cipher.record.kdf.salt);
  });

  it('refuses hostile or malformed records without running an expensive KDF', () => {
    const good = structuredClone(cipher.record);
    const bad: [unknown, string][] = [
      ['not json', 'damaged'],
      [{ ...good, kdf: { ...good.kdf, logN: 40 } }, 'damaged'],
      [{ ...good, kdf: { ...good.kdf, logN: 20, r: 16, p: 4 } }, 'damaged'],
      [{ ...good, kdf: { ...good.kdf, r: 0 } }, 'damaged'],
      [{ ...good, kdf: { ...good.kdf, salt: 'ab' } }, 'damaged'],
      [{ ...good, kdf: { ...good.kdf, name: 'pbkdf2' } }, 'damaged'],
      [{ ...good, cipher: 'rot13' }, 'damaged'],
      [{ ...good, keyCheck: undefined }, 'damaged'],
      [{ ...good, version: 2 }, 'unsupported-version'],
      [null, 'damaged'],
      [[], 'damaged'],
    ];
    for (const [value, code] of bad) {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      expect(codeOf(() => parseEncryptionRecord(text))).toBe(code);
    }
  });

  it('fingerprints are keyed per archive and hide the public SHA-256', () => {
    const sha = createHash('sha256').update('known file').digest('hex');
    expect(cipher.fingerprint(sha)).toBe(cipher.fingerprint(Buffer.from(sha, 'hex')));
    expect(cipher.fingerprint(sha)).not.toBe(sha);
    expect(cipher.fingerprint(sha)).not.toBe(other.fingerprint(sha));
  });
});

describe('entry protection and CRC masking', () => {
  const columns = {
    path: 'docs/secret plan.txt',
    type: 'file' as const,
    mode: 0o640,
    mtimeMs: 1_700_000_000_000,
    size: 42,
    contentId: 3,
    linkTarget: null,
  };

  it('with encrypted names, the plaintext columns reveal nothing and the blob restores everything', async () => {
    const { protectEntry, recoverEntry, hiddenPath } = await import('../../electron/engine/crypto/entry-protection.ts');
    const sha = 'ab'.repeat(32);
    const p = protectEntry(cipher, 11, columns, sha);
    expect(p.columns).toEqual({ path: hiddenPath(11), type: 'file', mode: 0, mtimeMs: 0, size: 0, contentId: 3, linkTarget: null });
    expect(recoverEntry(cipher, 11, p.columns, p.sealed)).toEqual({ ...columns, linkTarget: undefined, sha256: sha, contentId: 3 });
    expect(codeOf(() => recoverEntry(cipher, 11, { ...p.columns, contentId: 4 }, p.sealed))).toBe('damaged');
    expect(codeOf(() => recoverEntry(cipher, 11, p.columns, null))).toBe('damaged');
  });

  it('with visible names, an edited column is caught against the sealed copy', async () => {
    const { protectEntry, recoverEntry } = await import('../../electron/engine/crypto/entry-protection.ts');
    const visible = await ArchiveCipher.create('pw', { encryptNames: false, kdfCost: FAST_KDF });
    const p = protectEntry(visible, 1, columns, undefined);
    expect(p.columns).toEqual(columns);
    expect(recoverEntry(visible, 1, p.columns, p.sealed).path).toBe(columns.path);
    for (const edit of [{ path: 'docs/other.txt' }, { size: 43 }, { mode: 0o4755 }, { type: 'symlink' as const }, { linkTarget: 'x' }]) {
      expect(codeOf(() => recoverEntry(visible, 1, { ...p.columns, ...edit }, p.sealed))).toBe('damaged');
    }
  });

  it('masks each chunk CRC differently and unmasks it exactly', () => {
    const a = cipher.sealChunk(place, Buffer.from('same bytes'));
    const b = cipher.sealChunk(place, Buffer.from('same bytes'));
    const crc = 0xdeadbeef;
    const ma = cipher.maskRawCrc(crc, place, a);
    expect(ma).not.toBe(crc);
    expect(ma).not.toBe(cipher.maskRawCrc(crc, place, b));
    expect(cipher.maskRawCrc(ma, place, a)).toBe(crc);
  });
});
