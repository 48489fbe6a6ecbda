// Coded output, pinned: each codec, set as the presets set it, encodes fixed generated inputs to payloads whose
// SHA-256 is committed below. A refactor must not change a single payload byte; a change that means to (a new
// model, a rebuilt prior, a new payload version) updates these hashes in the same commit and says why.
// Each model revision changed every cm and neural row; the cm rows of earlier revisions moved to
// OLDER_REVISION_GOLDEN, which those revisions must keep producing as long as archives they wrote exist.
// Brotli's bytes belong to the libbrotli that Node bundles: if a Node upgrade alone changes them, update them.
// The prior's bytes come from build/prior (resources/prior.json names its SHA-256): rebuilding it to other bytes
// changes the primed 'cm' hashes, as it should.
import crypto from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { Codec } from '../../electron/engine/codecs/codec.ts';
import { createContextMixingCodec, shouldPrime } from '../../electron/engine/codecs/context-mixing.ts';
import { decodeBytes, encodeBytes } from '../../electron/engine/coder/cm-stream.ts';
import type { SectionTarget } from '../../electron/engine/coder/prior.ts';
import { tableBitsFor } from '../../electron/engine/coder/table-size.ts';
import { priorStore } from '../../electron/engine/model/prior-store.ts';
import { loadCodec } from '../../electron/engine/codecs/registry.ts';
import { PRESETS } from '../../electron/engine/presets.ts';

/** xorshift32: the inputs must never depend on anything but their seed. */
function generator(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

const WORDS = (
  'the of and to a in is that it for was on are as with his they at be this from have or by one had not but what ' +
  'all were when we there can an your which their said if do will each about how up out them then she many some so ' +
  'these would other into has more her two like him see time could no make than first been its who now people my ' +
  'archive byte model chunk prior coder context stream header entry table folder file password'
).split(' ');

/** English-like prose: Zipf-ish word choice, sentences, commas, numbers, lines of about 72 characters. */
function textLike(bytes: number, seed: number): Uint8Array {
  const next = generator(seed);
  let out = '';
  let line = 0;
  let sentenceStart = true;
  while (out.length < bytes) {
    const r = next();
    // The square of a uniform index favours the first words, as real text does.
    const u = (r % 1000) / 1000;
    let word = WORDS[Math.floor(u * u * WORDS.length)]!;
    if (r % 23 === 0) word = String(r % 2000);
    if (sentenceStart) word = word[0]!.toUpperCase() + word.slice(1);
    sentenceStart = false;
    const tail = r % 11 === 0 ? '.' : r % 7 === 0 ? ',' : '';
    if (tail === '.') sentenceStart = true;
    const piece = word + tail;
    if (line + piece.length + 1 > 72) {
      out += '\n';
      line = 0;
    } else if (line > 0) {
      out += ' ';
      line++;
    }
    out += piece;
    line += piece.length;
  }
  return new Uint8Array(Buffer.from(out.slice(0, bytes), 'latin1'));
}

/** Binary with structure: 16-byte records (counter, small integers, a float wave, noise), runs of zeros. */
function binaryLike(bytes: number, seed: number): Uint8Array {
  const next = generator(seed);
  const out = Buffer.alloc(bytes);
  for (let at = 0, record = 0; at + 16 <= bytes; at += 16, record++) {
    if (record % 64 >= 56) continue; // zero runs
    out.writeUInt32LE(1000 + record, at);
    out.writeUInt16LE(next() % 300, at + 4);
    out.writeUInt16LE(record % 17, at + 6);
    out.writeFloatLE(Math.round(Math.sin(record / 10) * 1000) / 1000, at + 8);
    out.writeUInt32LE(next(), at + 12);
  }
  return new Uint8Array(out);
}

const INPUTS: Record<string, Uint8Array> = {
  'text 64 KiB': textLike(64 * 1024, 1),
  'text 6 KiB': textLike(6 * 1024, 2),
  'binary 32 KiB': binaryLike(32 * 1024, 3),
};

/**
 * Each codec as the presets configure it. 'cm' primes text chunks of 1 KiB or more from the bundled prior.
 * The neural codec decodes one model call per byte (about a minute here for these inputs), so it is only encoded
 * here; test/codec/neural-roundtrip.test.ts decodes it.
 */
const CODECS: Record<string, { open: () => Codec | Promise<Codec>; decode: boolean }> = {
  store: { open: () => loadCodec('store'), decode: true },
  'brotli q9 (fast)': { open: () => loadCodec('brotli', { settings: PRESETS.fast }), decode: true },
  'brotli q11 (balanced)': { open: () => loadCodec('brotli', { settings: PRESETS.balanced }), decode: true },
  'cm cold': { open: () => createContextMixingCodec({ prior: null }), decode: true },
  'cm with the bundled prior (balanced)': { open: () => loadCodec('cm', { settings: PRESETS.balanced }), decode: true },
  'neural (maximum)': { open: () => loadCodec('neural', { settings: PRESETS.maximum }), decode: false },
};

const GOLDEN: Record<string, string> = {
  'store / text 64 KiB': 'c4503103b65676c667a6da26bed819cf58bd6efc0b9716d03e0959601bf75825',
  'store / text 6 KiB': 'e5650fb566f0a44e07602ccf741194279b70efa31acbb825f92fecc63f563aaa',
  'store / binary 32 KiB': '71d6e9498828e9433ee45636a59c18f05f494a74c75ca6fde8e665c0942af523',
  'brotli q9 (fast) / text 64 KiB': '582887943aa9a68a5a6700e312a39ed8deee88417bc1d0c15f251d540bc33569',
  'brotli q9 (fast) / text 6 KiB': 'c02689c8095d15c93a91e522a5af38901bef7864d9484da53f608e2fb0bb8069',
  'brotli q9 (fast) / binary 32 KiB': 'f2ea77a5be2f3cef12ff44a3a306dd56014900ae45e1828eac5c83d248f19bd1',
  'brotli q11 (balanced) / text 64 KiB': '38738091ffbcdcf2f1c5fd43fff42ffe0dbeaa5bd989a8bec5b32f4179bf91f6',
  'brotli q11 (balanced) / text 6 KiB': '0573f54aa4b05e471c5f5f1c84391684fb93614b03fa02d89837e1cb44007d51',
  'brotli q11 (balanced) / binary 32 KiB': '6615c7fbe20a0cd603e442590cd8234b194499a8cabd182c7297570003f1108a',
  'cm cold / text 64 KiB': '62d816b3569ddd64b35468f604746b3c16e57debba4ca503726b5599d01564af',
  'cm cold / text 6 KiB': 'fc0799717285a0aa54a6ac8c7ce936c152aceb439d2ec824653d74f133c7f250',
  'cm cold / binary 32 KiB': 'ba8fe9616157edd63a8eddf6779cf2881173ec3215876d0e6a75a5ec0901ed11',
  // Only the 64 KiB text is long enough to prime; the other two code cold, identical to the row above.
  'cm with the bundled prior (balanced) / text 64 KiB': '480c5c4a64c492942ef411499e417e461d3446da14a81c592c54af3408b4ffbf',
  // Primed since text blocks of 1 KiB start from the prior (solid blocks: one prior copy per block, not per file).
  'cm with the bundled prior (balanced) / text 6 KiB': '8927bf9249531a270042cda04dd430ddbe24d05dc277740949f06ce0096d11ad',
  'cm with the bundled prior (balanced) / binary 32 KiB': 'ba8fe9616157edd63a8eddf6779cf2881173ec3215876d0e6a75a5ec0901ed11',
  'neural (maximum) / text 64 KiB': '79499886dae1a25f23ed607b9da80fb0cf9b97c018beae618cc7c7158cfcc687',
  'neural (maximum) / text 6 KiB': '4bb445e07e89ac8829b64204ed789abf8d1b4c15697eda52791c11fa6c7fe327',
  'neural (maximum) / binary 32 KiB': '8613ec7f6cb7d3c8f3b755c72984f0d57c0bdbe5c40dbb6ad27d7eb62446a472',
};

/**
 * The cm payloads earlier model revisions wrote (the GOLDEN rows of the build before the next revision): every
 * archive made then holds payloads like these, so each revision must keep coding to exactly these bytes.
 */
const OLDER_REVISION_GOLDEN: Record<3 | 4 | 5 | 6 | 7 | 8 | 9, Record<string, string>> = {
  3: {
    'cold / text 64 KiB': '4a47265615db9ab6594225a5f39e5da72b63561dee871f1985c550d956a3dc4d',
    'cold / text 6 KiB': '41a43988e18a1746a289b2d79fb2be717a2cf370da74f040f203f8eff9a4ae12',
    'cold / binary 32 KiB': '6b61eef2800b5a68025c0b8054db11a53ff5638285b1619be13d22bf6cddf46d',
    'primed / text 64 KiB': 'b42336360f3fd177ae578c214263f3e2ee31cd58e170334af11558c31439fbd1',
    'primed / text 6 KiB': '649368fd42cb87b299cc7afc165abab7c25f1bbaab049926eece9c5351233ad4',
  },
  4: {
    'cold / text 64 KiB': '88e5ae5ab94a2751ec505bb6e4710ba16295ab419f6c18852a9f39d4a7a4ad27',
    'cold / text 6 KiB': '706ab41845ee37b2c2a0f3f5c4027a98ee7a57a93a73fb570643e696eaedcf4a',
    'cold / binary 32 KiB': '3a0c59fbcf1f65f74687163fe0fa7c51c84db56eb692e370f169a611c81c7bdb',
    'primed / text 64 KiB': 'a23ec669b3e887b97925fc231f2c54b9e4c2459fdfbedc6850345cd9b5883fe2',
    'primed / text 6 KiB': '5071b1b715ff6997513498f60478af14c3c6a8acb1198ecce64866e50ebe348e',
  },
  5: {
    'cold / text 64 KiB': 'f3ac40f6646edbb407020632c374d0700ae3de851a2293078be294283fd24541',
    'cold / text 6 KiB': '872c15b24734520ed3cf5971064a3d18c394d7543ff1f1dcae187af845c495db',
    'cold / binary 32 KiB': '3aa263939de248367e0ded729121dd5799baa614df1acec166f034f862cd3ae5',
    'primed / text 64 KiB': 'd7b4e59e8a192e74f4ced3e52b05c2e72179904f8f83bf8508b4ea89ded34334',
    'primed / text 6 KiB': 'faab78bcc5c2c5e1675ac1db9127facec11a004881ae325bbfaedb7f5ac60ef9',
  },
  6: {
    'cold / text 64 KiB': '3265d44abe2ebd637bafc762f9242a00a96b26041b31c86f5adfdf7565fc7a5b',
    'cold / text 6 KiB': 'e1c2837f95648ccea73de322fa61ef0b018018c04d56732822becdd9ba16f3ea',
    'cold / binary 32 KiB': 'df82e3d94d5001526e5dff6928aba9dc00203f86d126e700539d8096bba1486d',
    'primed / text 64 KiB': '2a2ae18ec6bba87c7445b3a4303bd174f320b55767baf9df7276fe4bbd33e3f9',
    'primed / text 6 KiB': '91c6e6d90e062ecbffe2a6d1cb085c41cf597e5dc5ea50cfe1b65f70d1041047',
  },
  7: {
    'cold / text 64 KiB': '3a6d7220f9771b76f6be80bd76348ca1e8612213170fade50ca6cde04e98da46',
    'cold / text 6 KiB': '3d82bb4af1e4bafcecc07a15dcda48be4f4e3722537dce194c26dd0dcdec8fed',
    'cold / binary 32 KiB': '55ab976676e477c41b9cdf177999a5f93461b9a9eccc72f4eaf4a68c7bce69f7',
    'primed / text 64 KiB': '60518040e48bd82d08cad36c42f0c6d5122e6211659656669cfba26a8d9e2c88',
    'primed / text 6 KiB': '6e171f0293e7a0c70c454876c35c5642ca99733f4047b062adb3555ecf37010c',
  },
  8: {
    'cold / text 64 KiB': '4159da1285a8e3485f01fcf54d0475b1fd37e2cc5f05ee69bfcd5b79bd0cd0eb',
    'cold / text 6 KiB': '95d7bed9c8902d77e7a1dfd7851e5a2f8701d29208a9a06acd92ea5263a01125',
    'cold / binary 32 KiB': '05592ecafef5d3e646a6ba70a361bd6f35ebd221392ad99c0d66c8cc3e8f921c',
    'primed / text 64 KiB': 'bd9086e0d5209fd43aa05898b64bdc294cffb4c2f0f7ab1a21d79fcafb310eed',
    'primed / text 6 KiB': 'a5f5ee51dfc242cc85148c6f56eb2b2f5f101a0110edc687b0c5fffc38eec429',
  },
  9: {
    'cold / text 64 KiB': 'b7d4ed72f378645dbfe888715ed1ff5ca106ebde7c73813fb529eeff6609f229',
    'cold / text 6 KiB': 'a91aa1743d5dc353cdf2540eaa280e1971cd319c695a81bb1f9f2ec4594eae22',
    'cold / binary 32 KiB': '5b4d8fdd6e0eecae709b428090735b77f983769165250390905c709a11a6c0f9',
    'primed / text 64 KiB': '3fc171591b19d489f394e4a013a384a22e7d9afef46b511b27733653bcadec47',
    'primed / text 6 KiB': '7cc96c8f8fa75804fbae4da083b31a62b91478bf2953019ae252ea2cc3602120',
  },
};

/**
 * Revision 8's larger table: a text of 512 KiB coded with 2^25 slots, cold and primed (the 2^24 prior spread over
 * it), the coded bytes alone; the inputs above are far too short for the codec to choose that size.
 */
const LARGE_TABLE_GOLDEN: Record<string, string> = {
  cold: 'd25f887ff64102a2847d6ece85e15d07869dcc96f91a48943f52c27a8a609d90',
  primed: '322e8520fb79c6db40bd94bfc951ffa97aa97e8801178e22cc24848e28ec3ced',
};

const opened: Codec[] = [];
afterAll(async () => {
  for (const codec of opened) await codec.close?.();
});

describe('codec goldens', () => {
  it('every codec codes every input to the committed bytes, and decodes them back', async () => {
    const actual: Record<string, string> = {};
    const names = Object.keys(INPUTS);
    const chunks = names.map((n) => INPUTS[n]!);
    for (const [codecName, { open, decode }] of Object.entries(CODECS)) {
      const codec = await open();
      opened.push(codec);
      const encoded = await codec.encodeBatch(chunks);
      names.forEach((name, i) => {
        actual[`${codecName} / ${name}`] = crypto.createHash('sha256').update(encoded[i]!.payload).digest('hex');
      });
      if (!decode) continue;
      const decoded = await codec.decodeBatch(encoded.map((e, i) => ({ payload: e.payload, rawSize: chunks[i]!.length })));
      names.forEach((name, i) => {
        expect(Buffer.from(decoded[i]!).equals(Buffer.from(chunks[i]!)), `${codecName} / ${name} round trip`).toBe(true);
      });
    }
    expect(actual).toEqual(GOLDEN);
  });

  it.each([3, 4, 5, 6, 7, 8, 9] as const)('model revision %i still codes to the bytes it wrote before the next revision', (revision) => {
    const prior = priorStore();
    const actual: Record<string, string> = {};
    for (const primed of [false, true]) {
      for (const name of Object.keys(INPUTS)) {
        const chunk = INPUTS[name]!;
        if (primed && !shouldPrime(chunk)) continue;
        const tableBits = primed ? prior.manifest.tableBits : tableBitsFor(chunk.length);
        const options = { tableBits, revision, loadPrior: primed ? (target: SectionTarget) => prior.loadInto(target) : undefined };
        const payload = Buffer.concat([Uint8Array.of(revision, tableBits, primed ? 1 : 0), encodeBytes(chunk, undefined, options)]);
        actual[`${primed ? 'primed' : 'cold'} / ${name}`] = crypto.createHash('sha256').update(payload).digest('hex');
      }
    }
    expect(actual).toEqual(OLDER_REVISION_GOLDEN[revision]);
  });

  it('revision 8 codes with a larger table, cold and spread from the prior, to the committed bytes', () => {
    // The codec gives 2^25 to blocks of 4 MiB and more (table-size.ts); 512 KiB at that size pins the same code.
    const text = textLike(512 * 1024, 4);
    const prior = priorStore();
    const actual: Record<string, string> = {};
    for (const primed of [false, true]) {
      const options = { tableBits: 25, revision: 8 as const, loadPrior: primed ? (target: SectionTarget) => prior.loadInto(target) : undefined };
      const coded = encodeBytes(text, undefined, options);
      expect(decodeBytes(coded, text.length, undefined, options)).toEqual(text);
      actual[primed ? 'primed' : 'cold'] = crypto.createHash('sha256').update(coded).digest('hex');
    }
    expect(actual).toEqual(LARGE_TABLE_GOLDEN);
  });
});
