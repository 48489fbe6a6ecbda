// The WebAssembly coder's exports: one instance is one predictor with its coder. The host (../wasm-coder.ts)
// calls init() for each stream, writes a prior's sections where sectionPtr() says (then restored()), calls
// start(), and then codes a whole buffer in the I/O region or byte by byte with the network's frequencies.
import { APM_COUNT, APM_POINTS, allocApm, apmAllPagesReady, apmPoints, buildApmTables, resetApms } from './apm';
import { decodeBit, decoderStart, encodeBit, encoderFinish, encoderFinishedLength, encoderStart } from './binary-coder';
import { adoptPriorTable, allocTable, resetContextState, spreadPriorTable } from './context-table';
import { HISTORY_BITS_3, HISTORY_BITS_4, allocHistory, resetHistory } from './history';
import { buildLogisticTables } from './logistic';
import { MATCH_COUNTERS, allocMatchCounters, allocMatchPositions, matchCounters, resetMatch } from './match-model';
import { alloc, ensureMemory, mark, memoryEnd, rewind } from './memory';
import { MIXER_STATE, allocMixer, mixerRestored, mixerSaveCount, mixerState, resetMixer } from './mixer';
import { allocNetworkTree, clearNetwork, freq, loadNetwork } from './network-tree';
import { APM_ORDER1, APM_ORDER2, buildPredictorTables, order0, predictBit, resetPredictor, setContexts, update } from './predictor';
import { allocRecord, resetRecord } from './record-model';

/** Per map (predictor.ts's APM_*): the network's, order 1, order 2, and revision 10's match and sparse maps. */
const APM_RATES: StaticArray<i32> = [7, 6, 6, 7, 7];

buildLogisticTables();
buildApmTables();
allocMatchCounters();
allocMixer();
allocRecord();
allocNetworkTree();
buildPredictorTables();
const staticEnd = mark();

let used = false;
let tableBits = 0;
let revision5 = false;
let contexts: usize = 0;
let ioBase: usize = 0;

function clearBelow(start: usize, bytes: usize, clean: usize): void {
  if (start >= clean) return;
  memory.fill(start, 0, start + bytes <= clean ? bytes : clean - start);
}

/**
 * Lays out and resets a predictor for a table of 2^bits slots; primed: the host writes every prior section next.
 * revision: the model revision (the cm payload version), 3 to 10; the host checks it.
 */
export function init(bits: i32, primed: bool, revision: i32): void {
  const isRevision4 = revision >= 4;
  revision5 = revision >= 5;
  const isRevision6 = revision >= 6;
  const isRevision7 = revision >= 7;
  const isRevision8 = revision >= 8;
  const isRevision9 = revision >= 9;
  const isRevision10 = revision >= 10;
  // Everything mapped before this stream may hold an earlier stream's state; the first stream's memory is fresh.
  const clean = used ? memoryEnd() : staticEnd;
  used = true;
  tableBits = bits;
  rewind(staticEnd);
  contexts = allocTable(bits);
  const positions = allocMatchPositions(bits - 2, isRevision4);
  for (let a = 0; a < APM_COUNT; a++) allocApm(a, unchecked(APM_RATES[a]));
  allocHistory();
  ioBase = alloc(0);
  if (!primed) clearBelow(contexts, (<usize>1 << bits) << 2, clean);
  clearBelow(positions, (<usize>1 << (bits - 2)) << 2, clean);
  resetApms(clean, isRevision10);
  resetContextState(revision5, isRevision6, isRevision9);
  resetMatch();
  resetRecord();
  resetHistory(isRevision4 ? HISTORY_BITS_4 : HISTORY_BITS_3);
  resetMixer(isRevision6, isRevision7, isRevision9);
  resetPredictor(isRevision4, revision5, isRevision6, isRevision7, isRevision8, isRevision10);
  clearNetwork();
}

/** Where prior section id (0 contexts, 1 order0, 2 match, 3 mixer, 4 apm.order1, 5 apm.order2) lives. */
export function sectionPtr(id: i32): usize {
  switch (id) {
    case 0: return contexts;
    case 1: return order0;
    case 2: return matchCounters;
    case 3: return mixerState;
    case 4: return apmPoints(APM_ORDER1);
    case 5: return apmPoints(APM_ORDER2);
  }
  return 0;
}

/** Section id's length in int32 elements. */
export function sectionLength(id: i32): i32 {
  switch (id) {
    case 0: return 1 << tableBits;
    case 1: return 256;
    case 2: return MATCH_COUNTERS;
    case 3: return MIXER_STATE;
    case 4: return APM_POINTS;
    case 5: return APM_POINTS;
  }
  return 0;
}

/**
 * The host has written every section of a prior, whose table of 2^priorBits slots fills the first part of this
 * one's (revision 8 may make the table larger; see spreadPriorTable). Priors are learned by revision 3
 * (wasm-coder.ts's PRIOR_REVISION); revision 5 moves their counters into its own slot layout here, and
 * revision 9 widens their mixer weights (mixer.ts).
 */
export function restored(priorBits: i32): void {
  if (revision5) adoptPriorTable(1 << priorBits);
  spreadPriorTable(priorBits, tableBits);
  mixerRestored();
  apmAllPagesReady(APM_ORDER1, false);
  apmAllPagesReady(APM_ORDER2, false);
}

/** Computes the first byte's contexts: after init (and restored), before coding. */
export function start(): void {
  setContexts();
}

/**
 * Makes every section current for reading as a prior (pages never used read as zeros). Only a stream of the
 * prior revision (3) is exported: from revision 9 the mixer's weights live outside its section.
 */
export function exportState(): void {
  mixerSaveCount();
  apmAllPagesReady(APM_ORDER1, true);
  apmAllPagesReady(APM_ORDER2, true);
}

/** The I/O region: input (and output) of the whole-buffer functions; it may grow, so read it after each call. */
export function ioPtr(): usize {
  return ioBase;
}

export function reserveIo(bytes: usize): void {
  ensureMemory(ioBase + bytes);
}

export function freqPtr(): usize {
  return freq;
}

/**
 * Encodes the n bytes at ioPtr(), in ranges (the host calls often, see ../wasm-coder.ts): encodeBegin(n), then
 * encodeRange over consecutive ranges covering 0..n, then streamEncodeFinish (coded bytes at ioPtr() + n).
 */
export function encodeBegin(n: i32): void {
  encoderStart(ioBase + <usize>n);
}

export function encodeRange(from: i32, to: i32): void {
  for (let i = from; i < to; i++) encodeByteBits(load<u8>(ioBase + <usize>i));
}

/**
 * Decodes n bytes from the codedLength bytes at ioPtr(), in ranges: decodeBegin, then decodeRange over 0..n; they
 * are written after the coded bytes (at ioPtr() + codedLength).
 */
export function decodeBegin(codedLength: i32, n: i32): void {
  ensureMemory(ioBase + <usize>codedLength + <usize>n);
  decoderStart(ioBase, <usize>codedLength);
}

export function decodeRange(codedLength: i32, from: i32, to: i32): void {
  const out = ioBase + <usize>codedLength;
  for (let i = from; i < to; i++) store<u8>(out + <usize>i, <u8>decodeByteBits());
}

/** Learns from the bytes from..to at ioPtr() without coding them (building a prior). */
export function primeRange(from: i32, to: i32): void {
  for (let i = from; i < to; i++) {
    const c = <i32>load<u8>(ioBase + <usize>i);
    for (let b = 7; b >= 0; b--) {
      predictBit();
      update((c >> b) & 1);
    }
  }
}

/** Byte-at-a-time coding with the network (its frequencies written at freqPtr() when withNetwork). */
export function streamEncodeStart(): void {
  encoderStart(ioBase);
}

export function encodeByte(c: i32, withNetwork: bool): void {
  if (withNetwork) loadNetwork();
  encodeByteBits(c);
}

/** Ends a byte-at-a-time stream; its coded bytes are at ioPtr(); returns their count. */
export function streamEncodeFinish(): i32 {
  return <i32>encoderFinish();
}

/** The count streamEncodeFinish would return now, without ending the stream (comparing priors on a prefix). */
export function encodedLengthIfFinished(): i32 {
  return <i32>encoderFinishedLength();
}

/** Starts decoding the codedLength bytes the host wrote at ioPtr(). */
export function streamDecodeStart(codedLength: i32): void {
  decoderStart(ioBase, <usize>codedLength);
}

export function decodeByte(withNetwork: bool): i32 {
  if (withNetwork) loadNetwork();
  return decodeByteBits();
}

// @ts-ignore: decorator
@inline function encodeByteBits(c: i32): void {
  for (let b = 7; b >= 0; b--) {
    const bit = (c >> b) & 1;
    encodeBit(bit, predictBit());
    update(bit);
  }
}

// @ts-ignore: decorator
@inline function decodeByteBits(): i32 {
  let c = 0;
  for (let b = 0; b < 8; b++) {
    const bit = decodeBit(predictBit());
    update(bit);
    c = (c << 1) | bit;
  }
  return c;
}
