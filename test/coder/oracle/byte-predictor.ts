// The adaptive stage: predicts each bit of the next byte (MSB first) by mixing the network's distribution with
// online models that learn from the bytes already coded. Encoder and decoder run identical instances and feed
// them identical bits, so they stay in lockstep; every step is integer arithmetic.
//
// Per bit: hashed context models (orders 1-5, word, word pair and word triple, four record contexts, the
// match's predicted byte, the column in the line) + order 0 + a match model + the network (raw and
// APM-refined) -> a two-layer mixer (two weight vectors selected by the partial byte with the match state and
// by how many orders have been seen with the previous byte, then a final one) -> order-1 and order-2 APMs
// averaged with the mixer's output (revision 5 and later: order 1 alone; revision 10: order 1, the match's state
// and the byte before last). A predictor can start from a prior (./prior.ts) instead of from nothing.
import { Apm } from './apm.ts';
import { COUNTER_INIT as importedCOUNTER_INIT, counterP12 as importedCounterP12, updateCounter as importedUpdateCounter } from './adaptive-counter.ts';
import { ContextTable, spreadTable } from './context-table.ts';
import { History } from './history.ts';
import { STRETCH as importedSTRETCH } from './logistic.ts';
import { MatchModel } from './match-model.ts';
import { Mixer } from './mixer.ts';
import { NetworkTree } from './network-tree.ts';
import type { PredictorPrior } from '../../../electron/engine/coder/prior.ts';
import { RecordModel } from './record-model.ts';
// Imports bound once to module constants: transpilers (tsx, vitest) turn imported names into property
// getters, which cost a call on every access in the per-bit hot path.
const COUNTER_INIT = importedCOUNTER_INIT;
const counterP12 = importedCounterP12;
const updateCounter = importedUpdateCounter;
const STRETCH = importedSTRETCH;

export interface BytePredictorOptions {
  /**
   * log2 of the hashed context table's int32 slots: that table takes 4 << tableBits bytes (default 22: 16 MiB)
   * and the match model's table a quarter of it. Encoder and decoder must use the same value.
   */
  tableBits?: number;
  /**
   * Learned statistics to start from (see prior.ts); its tableBits must equal tableBits (from revision 8: at most
   * tableBits, spreadTable). Its large arrays are
   * adopted, not copied, and change as this predictor learns: give each predictor a copy of its own.
   */
  prior?: PredictorPrior;
  /** The model revision (3 to 10, default 10; electron/engine/coder/wasm-coder.ts). */
  revision?: 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10;
}

export const DEFAULT_TABLE_BITS = 22;
/**
 * History ring: revision 3 up to 4 MiB (the largest format-1 chunk), revision 4 up to 16 MiB (a whole solid
 * block), so a match can reach back across a whole chunk.
 */
const HISTORY_BITS = { 3: 22, 4: 24, 5: 24, 6: 24, 7: 24, 8: 24, 9: 24, 10: 24 } as const;

// Count caps (slowest adaptation rate 1/(limit + 1.25)) of the hashed contexts, in the order of setContexts():
// orders 1-2 see stationary statistics; higher orders, words and records do better tracking recent data.
// Orders 3-5 and the word contexts at 12 rather than 30: measured with the prior, the four benchmark texts
// summed 7.373 bits per byte against 7.398 (a primed stream must move off the prior's English quickly).
const CONTEXT_LIMITS = [1023, 1023, 12, 12, 12, 12, 12, 30, 30, 30, 30, 255, 12, 255];
/** Revision 5 counts in 8 bits (context-table.ts), so orders 1-2 stop at 255. */
const CONTEXT_LIMITS_5 = [255, 255, 12, 12, 12, 12, 12, 30, 30, 30, 30, 255, 12, 255];
/**
 * Revision 6: higher orders, words and lines adapt more slowly, since their bit histories now track change (on
 * own validation text 0.1-0.3% smaller than revision 5's caps; 60/160 gained nothing more).
 */
const CONTEXT_LIMITS_6 = [255, 255, 40, 40, 40, 40, 40, 100, 100, 100, 100, 255, 40, 255];
const N_CONTEXTS = CONTEXT_LIMITS.length;
// Mixer input layout.
const IN_CONTEXTS = 0;
const IN_ORDER0 = N_CONTEXTS;
const IN_MATCH = IN_ORDER0 + 1;
const IN_NETWORK = IN_MATCH + 2;
const IN_BIAS = IN_NETWORK + 2;
const N_INPUTS = IN_BIAS + 1;
/**
 * Revision 9: each context's bit history is an input of its own (ContextTable.predict), after the others; two
 * inputs that stay 0 make the vector a multiple of four, as the shipped coder's SIMD mixer needs.
 */
const IN_HISTORIES = N_INPUTS;
const N_INPUTS_9 = IN_HISTORIES + N_CONTEXTS + 2;
/** Revision 9's starting weights: a context's two inputs share the 1/8 its average had; the padding gets 0. */
const INITIAL_WEIGHTS_9 = Array.from({ length: N_INPUTS_9 }, (_, i) =>
  i < IN_ORDER0 || (i >= IN_HISTORIES && i < IN_HISTORIES + N_CONTEXTS) ? (1 << 16) / 16 : i < N_INPUTS ? (1 << 16) / 8 : 0,
);
/** How a prior's mixer (learned with N_INPUTS) widens to revision 9's: context i's weight is split with its history's. */
const WIDEN_9 = { inputs: N_INPUTS, split: new Map(Array.from({ length: N_CONTEXTS }, (_, i) => [IN_CONTEXTS + i, IN_HISTORIES + i] as const)) };

function hash2(a: number, b: number): number {
  const h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x632be5ab, 0x85ebca6b);
  return h ^ (h >>> 13);
}

function isLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c >= 128;
}

/**
 * Revision 7: what a byte is to the syntax of code and markup, 0..15: a-z, A-Z, 0-9, space or tab, line feed,
 * ( or [, ) or ], {, }, a quote (" ' `), ;, ., ,, =, any other ASCII byte, a byte of 128 and up.
 */
const PUNCTUATION_CLASSES: Readonly<Record<string, number>> = {
  '(': 5, '[': 5, ')': 6, ']': 6, '{': 7, '}': 8, '"': 9, "'": 9, '`': 9, ';': 10, '.': 11, ',': 12, '=': 13,
};
export function byteClass(c: number): number {
  if (c >= 97 && c <= 122) return 0;
  if (c >= 65 && c <= 90) return 1;
  if (c >= 48 && c <= 57) return 2;
  if (c === 32 || c === 9) return 3;
  if (c === 10) return 4;
  if (c >= 128) return 15;
  return PUNCTUATION_CLASSES[String.fromCharCode(c)] ?? 14;
}

export class BytePredictor {
  private readonly history: History;
  private readonly revision4: boolean;
  /** Revision 5: bit histories in the context table, and no order-2 APM. */
  private readonly revision5: boolean;
  /** Revision 6: a third layer-1 selector, the caps of CONTEXT_LIMITS_6, and a layer-1 floor rate of 24. */
  private readonly revision6: boolean;
  /** Revision 7: the shape context instead of the pair successors, and the brace depth with the column. */
  private readonly revision7: boolean;
  /** Revision 8: the syntax state in two contexts (see quoteByte). */
  private readonly revision8: boolean;
  /** Revision 9: a context's counter and bit history are two mixer inputs, not their average. */
  private readonly revision9: boolean;
  /** Revision 10: APMs by the match's state and by the byte before last. */
  private readonly revision10: boolean;
  private readonly tableBits: number;
  private readonly contexts: ContextTable;
  private readonly match: MatchModel;
  private readonly record: RecordModel;
  private readonly network = new NetworkTree();
  private readonly order0 = new Int32Array(256).fill(COUNTER_INIT);

  // Layer-1 weight vectors chosen by the partial byte with the match model's predicted bit, and by order 1;
  // the final layer's by the partial byte or, with a network, by the network's confidence and the bit position.
  // (Selecting by the network's confidence in layer 1 instead of order 1 lost 8% on kennedy.xls with a network
  // that knows nothing of spreadsheets.) Revision 6 adds a third layer-1 selector: the byte before last, with the
  // bit's place in the byte's tree (see predictBit).
  private readonly mixer: Mixer;
  private readonly networkApm = new Apm(1 << 16, 7);
  private readonly apmOrder1 = new Apm(1 << 16, 6);
  private readonly apmOrder2 = new Apm(1 << 16, 6);
  private readonly apmMatch = new Apm(1 << 16, 7);
  private readonly apmSparse = new Apm(1 << 16, 7);

  /** The partial byte with a leading 1 (1..255), and how many of its bits are known. */
  private c0 = 1;
  private bitIndex = 0;
  /** The nibble tree node (1..15) of the next bit within the current nibble. */
  private nibble = 1;
  /** The last four bytes, most recent in the low byte, and the four before them. */
  private c4 = 0;
  private c8 = 0;
  private wordHash = 0;
  private previousWordHash = 0;
  private previousWordHash2 = 0;
  /**
   * Revision 4's indirect contexts: the last two bytes that followed each byte value and each pair of bytes, most
   * recent in the low byte.
   */
  private readonly byteSuccessors = new Uint16Array(256);
  private readonly pairSuccessors = new Uint16Array(65536);
  /** Position of the first byte of the current line, and of the line before. */
  private lineStart = 0;
  private previousLineStart = 0;
  /**
   * Revision 6's line state: the first word of the current line (0 until one ends) and of the previous line, the
   * first byte after the indentation, and the indentation's width (at most 63).
   */
  private lineWord = 0;
  private previousLineWord = 0;
  private lineHead = 0;
  private indent = 0;
  private inIndent = true;
  /** Revision 7: the classes of the last seven bytes (four bits each, newest lowest), and open braces (at most 15). */
  private shape = 0;
  private braceDepth = 0;
  /**
   * Revision 8: whether the coming byte is inside a quote opened on this line (which quote byte), a comment (to
   * the line's end after two slashes or on a line that begins with #, or up to a star and a slash after a slash
   * and a star), or a markup tag opened on this line.
   */
  private quoteByte = 0;
  private comment: 'none' | 'line' | 'block' = 'none';
  private inTag = false;

  private predicted = false;
  private networkUsed = false;

  constructor(options: BytePredictorOptions = {}) {
    const tableBits = options.tableBits ?? DEFAULT_TABLE_BITS;
    if (!Number.isInteger(tableBits) || tableBits < 12 || tableBits > 28) {
      throw new RangeError(`tableBits must be an integer in 12..28, got ${tableBits}`);
    }
    this.tableBits = tableBits;
    const revision = options.revision ?? 10;
    this.revision4 = revision >= 4;
    this.revision5 = revision >= 5;
    this.revision6 = revision >= 6;
    this.revision7 = revision >= 7;
    this.revision8 = revision >= 8;
    this.revision9 = revision >= 9;
    this.revision10 = revision >= 10;
    for (const apm of [this.networkApm, this.apmOrder1, this.apmOrder2, this.apmMatch, this.apmSparse]) apm.bothPoints = this.revision10;
    // The third selector's layer-2 weight starts at 0: the two a prior brings already sum to one (measured on own
    // validation text: starting it at a third did worse). Its 8192 vectors are never part of a prior.
    // Revision 7's third selector is the classes of the last three bytes (4096 x 32 vectors) instead of the byte
    // before last (256 x 32).
    this.mixer = this.revision9
      ? new Mixer(N_INPUTS_9, [3 * 256, 6 * 256, 131072], 256 + 17 * 8, 120, 24, 4, { start: IN_NETWORK, count: 2 }, [32768, 32768, 0], INITIAL_WEIGHTS_9)
      : this.revision6
      ? new Mixer(N_INPUTS, [3 * 256, 6 * 256, this.revision7 ? 131072 : 8192], 256 + 17 * 8, 120, 24, 4, { start: IN_NETWORK, count: 2 }, [32768, 32768, 0])
      : new Mixer(N_INPUTS, [3 * 256, 6 * 256], 256 + 17 * 8, 120, 16, 4, { start: IN_NETWORK, count: 2 });
    this.history = new History(HISTORY_BITS[revision]);
    const prior = options.prior;
    // Revision 8 lets a prior fill a table larger than its own (spreadTable).
    const fits = revision >= 8 ? (prior?.tableBits ?? 0) <= tableBits : prior?.tableBits === tableBits;
    if (prior && !fits) throw new RangeError(`the prior has tableBits ${prior.tableBits}, the stream ${tableBits}`);
    const section = (name: string): Int32Array => {
      const data = prior?.sections.get(name);
      if (!data) throw new RangeError(`the prior has no ${name} section`);
      return data;
    };
    const withHistories = revision >= 5;
    const limits = this.revision6 ? CONTEXT_LIMITS_6 : withHistories ? CONTEXT_LIMITS_5 : CONTEXT_LIMITS;
    const learned = prior ? spreadTable(section('contexts'), prior.tableBits, tableBits) : undefined;
    this.contexts = new ContextTable(tableBits, limits, 5, learned, withHistories);
    // The match model's position table is a quarter of the context table's slots (4 MiB at the default).
    this.match = new MatchModel(this.history, tableBits - 2, this.revision4);
    this.record = new RecordModel(this.history);
    if (prior) {
      const order0 = section('order0');
      if (order0.length !== this.order0.length) throw new RangeError('order0 state of the wrong size');
      this.order0.set(order0);
      this.match.restore(section('match'));
      // Priors are learned with revision 3: two selectors, and N_INPUTS inputs.
      this.mixer.restore(section('mixer'), 2, this.revision9 ? WIDEN_9 : undefined);
      this.apmOrder1.restore(section('apm.order1'));
      this.apmOrder2.restore(section('apm.order2'));
    }
    this.setContexts();
  }

  /** What this predictor has learned so far, as a prior for others (see prior.ts). */
  learnedState(): PredictorPrior {
    return {
      tableBits: this.tableBits,
      sections: new Map([
        ['contexts', this.contexts.learnedState()],
        ['order0', this.order0],
        ['match', this.match.learnedState()],
        ['mixer', this.mixer.learnedState()],
        ['apm.order1', this.apmOrder1.learnedState()],
        ['apm.order2', this.apmOrder2.learnedState()],
      ]),
    };
  }

  /** Starts a byte: networkFreq holds 256 integer frequencies (each >= 1) for it, or null without a network. */
  beginByte(networkFreq: Int32Array | null): void {
    this.network.load(networkFreq);
  }

  /** P(next bit = 1) in 1..4095 of 4096. */
  predictBit(): number {
    const c0 = this.c0;
    const bitIndex = this.bitIndex;
    const c1 = this.c4 & 0xff;
    const x = this.mixer.inputs;

    this.contexts.predict(this.nibble, x, IN_CONTEXTS, this.revision9 ? IN_HISTORIES : undefined);
    x[IN_ORDER0] = STRETCH[counterP12(this.order0[c0])];
    this.match.predict(c0, bitIndex, c1, x, IN_MATCH);
    let networkConfidence = 0;
    this.networkUsed = this.network.active;
    if (this.networkUsed) {
      const pn = this.network.p1(c0);
      const sn = STRETCH[pn];
      x[IN_NETWORK] = sn;
      x[IN_NETWORK + 1] = STRETCH[this.networkApm.refine(pn, c0 | (c1 << 8))];
      networkConfidence = 1 + ((sn < 0 ? -sn : sn) >> 7);
    } else {
      x[IN_NETWORK] = 0;
      x[IN_NETWORK + 1] = 0;
    }
    x[IN_BIAS] = 256;
    const m = this.mixer;
    m.setOptionalInputs(this.networkUsed);
    m.select(0, this.match.expectedBit * 256 + c0);
    m.select(1, this.contexts.found * 256 + c1);
    const place = (bitIndex >= 4 ? 16 : 0) + this.nibble;
    if (this.revision7) m.select(2, (this.shape % 4096) * 32 + place);
    else if (this.revision6) m.select(2, ((this.c4 >> 8) & 0xff) * 32 + place);
    const pMix = m.mix(networkConfidence === 0 ? c0 : 256 + networkConfidence * 8 + bitIndex);

    const a1 = this.apmOrder1.refine(pMix, c0 | (c1 << 8));
    let p: number;
    // Revision 5 refines with the order-1 APM alone: on own validation text (code, markup, JavaScript, prose) the
    // order-2 APM gained 0.3-0.4% and took 14% of the coding time (its 8.6 MB map is read at a hashed place every
    // bit), which paid for the bit histories. Its prior section is still read, and unused.
    if (this.revision10) {
      // The match's state: none, or the bit it expects with its length (at most 31).
      const expected = this.match.expectedBit;
      const state = expected === 0 ? 0 : 1 + 2 * Math.min(this.match.length, 31) + (expected - 1);
      const am = this.apmMatch.refine(pMix, c0 + 256 * state);
      const as = this.apmSparse.refine(pMix, c0 + 256 * ((this.c4 >>> 8) & 0xff));
      p = (2 * pMix + 3 * a1 + 2 * am + as + 4) >> 3;
    } else if (this.revision5) p = (pMix + 3 * a1 + 2) >> 2;
    else {
      const a2 = this.apmOrder2.refine(pMix, c0 | (((Math.imul(this.c4 & 0xffff, 0x9e3779b1) >>> 24) << 8)));
      p = (2 * pMix + 3 * a1 + 3 * a2 + 4) >> 3;
    }
    if (p < 1) p = 1;
    else if (p > 4095) p = 4095;
    this.predicted = true;
    return p;
  }

  /** Learns from the coded bit; after the 8th bit of a byte the byte is complete. */
  update(bit: number): void {
    if (!this.predicted) this.predictBit();
    this.predicted = false;
    bit = bit ? 1 : 0;

    this.contexts.update(bit);
    this.order0[this.c0] = updateCounter(this.order0[this.c0], bit, 255);
    this.match.update(bit);
    if (this.networkUsed) this.networkApm.update(bit);
    this.mixer.update(bit);
    this.apmOrder1.update(bit);
    if (this.revision10) {
      this.apmMatch.update(bit);
      this.apmSparse.update(bit);
    } else if (!this.revision5) this.apmOrder2.update(bit);

    this.c0 = (this.c0 << 1) | bit;
    this.nibble = (this.nibble << 1) | bit;
    this.bitIndex++;
    if (this.bitIndex === 4) {
      this.nibble = 1;
      this.contexts.selectBuckets(this.c0);
    } else if (this.bitIndex === 8) {
      this.byteDone(this.c0 & 0xff);
    }
  }

  private byteDone(c: number): void {
    this.history.push(c);
    this.trackLine(c);
    this.shape = ((this.shape * 16) % 2 ** 28) + byteClass(c);
    if (c === 123) this.braceDepth = Math.min(15, this.braceDepth + 1);
    if (c === 125) this.braceDepth = Math.max(0, this.braceDepth - 1);
    this.trackSyntax(c, this.c4 & 0xff);
    if (c === 10) {
      this.previousLineStart = this.lineStart;
      this.lineStart = this.history.length;
    }
    if (this.revision4) {
      const c1 = this.c4 & 0xff;
      const c2 = this.c4 & 0xffff;
      this.byteSuccessors[c1] = (this.byteSuccessors[c1]! << 8) | c;
      this.pairSuccessors[c2] = (this.pairSuccessors[c2]! << 8) | c;
    }
    this.c8 = (this.c8 << 8) | (this.c4 >>> 24);
    this.c4 = (this.c4 << 8) | c;
    this.c0 = 1;
    this.nibble = 1;
    this.bitIndex = 0;
    if (isLetter(c)) {
      this.wordHash = hash2(this.wordHash, c >= 65 && c <= 90 ? c + 32 : c);
    } else if (this.wordHash !== 0) {
      if (this.lineWord === 0) this.lineWord = this.wordHash;
      this.previousWordHash2 = this.previousWordHash;
      this.previousWordHash = this.wordHash;
      this.wordHash = 0;
    }
    this.match.byteDone();
    this.record.byteDone();
    this.network.load(null);
    this.setContexts();
  }

  /** Revision 8's syntax state after byte c, which followed `previous` (see quoteByte). */
  private trackSyntax(c: number, previous: number): void {
    const SLASH = 0x2f;
    const STAR = 0x2a;
    if (c === 0x0a) {
      this.quoteByte = 0;
      this.inTag = false;
      if (this.comment === 'line') this.comment = 'none';
    } else if (this.comment === 'block') {
      if (previous === STAR && c === SLASH) this.comment = 'none';
    } else if (this.comment === 'line') {
      // Nothing opens or closes until the line ends.
    } else if (this.quoteByte !== 0) {
      if (c === this.quoteByte && previous !== 0x5c) this.quoteByte = 0;
    } else if ('"\'`'.includes(String.fromCharCode(c))) {
      this.quoteByte = c;
    } else if (previous === SLASH && c === SLASH) {
      this.comment = 'line';
    } else if (previous === SLASH && c === STAR) {
      this.comment = 'block';
    } else if (c === 0x23 && this.lineHead === 0x23) {
      this.comment = 'line';
    } else if (c === 0x3c) {
      this.inTag = true;
    } else if (c === 0x3e) {
      this.inTag = false;
    }
  }

  private syntaxState(): number {
    const quote = [0, 0x22, 0x27, 0x60].indexOf(this.quoteByte);
    const comment = { none: 0, line: 1, block: 2 }[this.comment];
    return quote + 4 * comment + (this.inTag ? 16 : 0);
  }

  /** Revision 6's line state (see lineWord). */
  private trackLine(c: number): void {
    if (c === 10) {
      this.previousLineWord = this.lineWord;
      this.lineWord = 0;
      this.lineHead = 0;
      this.indent = 0;
      this.inIndent = true;
    } else if (this.inIndent) {
      if (c === 32 || c === 9) {
        if (this.indent < 63) this.indent++;
      } else {
        this.inIndent = false;
        this.lineHead = c;
      }
    }
  }

  /** Computes every hashed context for the coming byte and selects their first-nibble buckets. */
  private setContexts(): void {
    const c4 = this.c4;
    const t = this.contexts;
    const h = this.history;
    t.setContext(0, hash2(1, c4 & 0xff));
    t.setContext(1, hash2(2, c4 & 0xffff));
    t.setContext(2, hash2(3, c4 & 0xffffff));
    t.setContext(3, hash2(4, c4));
    t.setContext(4, hash2(hash2(6, c4), this.c8 & 0xff));
    t.setContext(5, hash2(7, this.wordHash));
    t.setContext(6, hash2(hash2(8, this.wordHash), this.previousWordHash));
    const rlen = this.record.usefulLength();
    if (rlen > 0) {
      const above = h.back(rlen);
      t.setContext(7, hash2(hash2(11, above), (h.back(rlen - 1) << 8) | h.back(rlen + 1)));
      t.setContext(8, hash2(hash2(12, above), (c4 & 0xff) | (rlen << 8)));
      t.setContext(9, hash2(hash2(13, above), this.record.column()));
      t.setContext(10, hash2(hash2(14, above), (h.back(2 * rlen) << 8) | (c4 & 0xff)));
    } else if (this.revision4) {
      // Text has lines, not records: order 7, and the bytes above in the previous line (the same column and the
      // next), which carry indentation and aligned code and tables; and what followed the last byte the last two
      // times, with the last two bytes.
      // Revision 6: the line's first word with the last byte and the byte after the indentation (before the first
      // word ends: the previous line's first word, the indentation and that byte) instead of order 7.
      if (this.revision6) {
        t.setContext(
          7,
          this.lineWord !== 0
            ? hash2(hash2(hash2(28, this.lineWord), c4 & 0xff), this.lineHead)
            : hash2(hash2(hash2(29, this.previousLineWord), c4 & 0xff), this.indent | (this.lineHead << 8)),
        );
      } else t.setContext(7, hash2(hash2(19, c4), this.c8 & 0xffffff));
      const aboveAt = this.previousLineStart + (h.length - this.lineStart);
      const above = aboveAt < this.lineStart ? h.back(h.length - aboveAt) : 256;
      const aboveNext = aboveAt + 1 < this.lineStart ? h.back(h.length - aboveAt - 1) : 256;
      // Revision 7: the indentation and the line's first byte after it, with the classes of the last three bytes.
      if (this.revision7) t.setContext(8, hash2(hash2(34, this.indent + 256 * this.lineHead), this.shape % 4096));
      else t.setContext(8, hash2(hash2(20, above), c4 & 0xff));
      t.setContext(9, hash2(hash2(23, c4 & 0xffff), this.byteSuccessors[c4 & 0xff]!));
      if (this.revision8) t.setContext(10, hash2(hash2(36, this.syntaxState()), c4 & 0xffff));
      else t.setContext(10, hash2(hash2(21, above | (aboveNext << 9)), c4 & 0xffff));
    } else {
      t.setContext(7, 0);
      t.setContext(8, 0);
      t.setContext(9, this.record.length > 0 ? hash2(hash2(15, this.record.column()), c4 & 0xff) : 0);
      t.setContext(10, 0);
    }
    // The match's predicted byte as a context: learns how far each predicted byte is to be trusted, which
    // the match model's own counters (by length only) cannot (measured: -4% on kennedy.xls).
    const ml = this.match.length;
    t.setContext(11, ml > 0 ? hash2(hash2(16, this.match.predictedByte), ml > 15 ? 15 : ml) : 0);
    // Revision 4: what followed the last two bytes the last two times, instead of the word triple.
    if (this.revision8) t.setContext(12, hash2(hash2(30, this.shape), (c4 & 0xff) + 256 * this.syntaxState()));
    else if (this.revision7) t.setContext(12, hash2(hash2(30, this.shape), c4 & 0xff));
    else if (this.revision4) t.setContext(12, hash2(hash2(22, c4 & 0xffff), this.pairSuccessors[c4 & 0xffff]!));
    else t.setContext(12, hash2(hash2(hash2(17, this.wordHash), this.previousWordHash), this.previousWordHash2));
    const col = this.history.length - this.lineStart;
    const column = Math.min(col, 255);
    t.setContext(13, hash2(hash2(18, this.revision7 ? column + 256 * this.braceDepth : column), c4 & 0xff));
    t.selectBuckets(0);
  }
}
