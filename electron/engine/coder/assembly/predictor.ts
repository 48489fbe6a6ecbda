// The adaptive stage (the oracle's byte-predictor.ts): predicts each bit of the next byte, MSB first, by mixing
// hashed context models (orders 1-5, words, records, the match's byte, the column), order 0, a match model and
// the network (raw and APM-refined) in a two-layer mixer, then refining with order-1 and order-2 APMs.
// Revision 4 fills the record contexts that revision 3 leaves empty when no record length is found, and replaces
// the word triple with an indirect context (see setContexts). Revision 5 adds bit histories (context-table.ts)
// and refines with the order-1 APM alone (see predictBit). Revision 6 adds a third layer-1 mixer selector (the
// byte before last with the bit position), a context of the line's first word in text instead of order 7 (see
// setContexts), and moves the count caps and the mixer's floor rate (context-table.ts, mixer.ts). Revision 7
// reads the syntax of code (byteClass): the shape of the last bytes instead of the pair successors, the
// indentation with the last classes instead of the byte above, the brace depth with the column (setContexts),
// and the third selector by the classes of the last three bytes (predictBit). Revision 8 reads the syntax state
// (quotes, comments, tags; setContexts), revision 9 gives each context two mixer inputs (context-table.ts), and
// revision 10 refines with two more APMs, by the match's state and by the byte before last (predictBit), and
// updates both points of every APM (apm.ts).
import { APM_COUNT, apmUpdate, refine } from './apm';
import { N_CONTEXTS, contextsPredict, contextsUpdate, found, selectBuckets, setContext } from './context-table';
import { back, historyLength, pushByte } from './history';
import { COUNTER_INIT, counterP12, stretch, updateCounter } from './logistic';
import { expectedBit, matchByteDone, matchLength, matchPredict, matchUpdate, predictedByte } from './match-model';
import { inputs, mix, mixerUpdate, select0, select1, select2 } from './mixer';
import { clearNetwork, networkActive, networkP1 } from './network-tree';
import { recordByteDone, recordColumn, recordLength, usefulRecordLength } from './record-model';

// Mixer input layout.
const IN_ORDER0 = N_CONTEXTS;
const IN_MATCH = IN_ORDER0 + 1;
const IN_NETWORK = IN_MATCH + 2;
const IN_BIAS = IN_NETWORK + 2;

/** The maps, in the order index.ts lays them out. */
export const APM_NETWORK = 0;
export const APM_ORDER1 = 1;
export const APM_ORDER2 = 2;
export const APM_MATCH = 3;
export const APM_SPARSE = 4;

const PHI: i32 = <i32>0x9e3779b1;
const K_HASH: i32 = <i32>0x85ebca6b;
const K_OFFSET: i32 = <i32>0x632be5ab;

export const order0: usize = memory.data(256 * 4, 64);
let c0: i32 = 1;
let bitIndex: i32 = 0;
let nibble: i32 = 1;
let c4: i32 = 0;
let c8: i32 = 0;
let wordHash: i32 = 0;
let previousWordHash: i32 = 0;
let previousWordHash2: i32 = 0;
let lineStart: i32 = 0;
let previousLineStart: i32 = 0;
/**
 * Revision 6's line state: the first word of the current line (0 until one ends) and of the previous line, the
 * first byte after the indentation, and the indentation's width (at most 63). Kept in every revision; only
 * revision 6 reads it.
 */
let lineWord: i32 = 0;
let previousLineWord: i32 = 0;
let lineHead: i32 = 0;
let indent: i32 = 0;
let inIndent: bool = true;
/**
 * Revision 7's syntax state: the classes of the last seven bytes (byteClass, four bits each, newest lowest) and
 * the depth of open braces (at most 15). Kept in every revision; only revision 7 reads them.
 */
let shape: i32 = 0;
let braceDepth: i32 = 0;
/**
 * Revision 8's syntax state (syntaxState): the quote open on this line (its byte, or 0); a comment (1 to the
 * line's end: after two slashes, or on a line that begins with #; 2 after a slash and a star, until a star and
 * a slash); and an open < on this line (a markup tag). Kept in every revision; only revision 8 reads it.
 */
let quote: i32 = 0;
let comment: i32 = 0;
let inTag: i32 = 0;
let networkUsed: bool = false;
/** The stream's model revision is 4 or later (else 3). */
let revision4: bool = false;
/** The stream's model revision is 5 or later. */
let revision5: bool = false;
/** The stream's model revision is 6 or later. */
let revision6: bool = false;
/** The stream's model revision is 7 or later. */
let revision7: bool = false;
/** The stream's model revision is 8 or later. */
let revision8: bool = false;
/** The stream's model revision is 10 or later. */
let revision10: bool = false;
/**
 * Revision 4's indirect contexts: the last two bytes that followed each byte value (256 u16) and each pair of
 * bytes (65,536 u16), most recent in the low byte.
 */
const byteSuccessors: usize = memory.data(256 * 2, 64);
const pairSuccessors: usize = memory.data(65536 * 2, 64);
/** Revision 7: each byte's class for `shape`. */
const byteClasses: usize = memory.data(256, 64);

export function buildPredictorTables(): void {
  for (let c = 0; c < 256; c++) store<u8>(byteClasses + <usize>c, <u8>byteClass(c));
}

/**
 * What a byte is to the syntax of code and markup: lower- and upper-case letters, digits, blanks, line ends,
 * round or square brackets opening and closing, braces opening and closing, quotes, ';', '.', ',', '=', any
 * other ASCII, and bytes of 128 and up (UTF-8).
 */
function byteClass(c: i32): i32 {
  if (c >= 97 && c <= 122) return 0;
  if (c >= 65 && c <= 90) return 1;
  if (c >= 48 && c <= 57) return 2;
  if (c == 32 || c == 9) return 3;
  if (c == 10) return 4;
  if (c == 40 || c == 91) return 5;
  if (c == 41 || c == 93) return 6;
  if (c == 123) return 7;
  if (c == 125) return 8;
  if (c == 34 || c == 39 || c == 96) return 9;
  if (c == 59) return 10;
  if (c == 46) return 11;
  if (c == 44) return 12;
  if (c == 61) return 13;
  return c >= 128 ? 15 : 14;
}

export function resetPredictor(isRevision4: bool, isRevision5: bool, isRevision6: bool, isRevision7: bool, isRevision8: bool, isRevision10: bool): void {
  revision4 = isRevision4;
  revision5 = isRevision5;
  revision6 = isRevision6;
  revision7 = isRevision7;
  revision8 = isRevision8;
  revision10 = isRevision10;
  if (isRevision4) {
    memory.fill(byteSuccessors, 0, 256 * 2);
    memory.fill(pairSuccessors, 0, 65536 * 2);
  }
  for (let i = 0; i < 256; i++) store<i32>(order0 + ((<usize>i) << 2), COUNTER_INIT);
  c0 = 1;
  bitIndex = 0;
  nibble = 1;
  c4 = 0;
  c8 = 0;
  wordHash = 0;
  previousWordHash = 0;
  previousWordHash2 = 0;
  lineStart = 0;
  previousLineStart = 0;
  lineWord = 0;
  previousLineWord = 0;
  lineHead = 0;
  indent = 0;
  inIndent = true;
  shape = 0;
  braceDepth = 0;
  quote = 0;
  comment = 0;
  inTag = 0;
  networkUsed = false;
}

// @ts-ignore: decorator
@inline function hash2(a: i32, b: i32): i32 {
  const h = (a * PHI) ^ ((b + K_OFFSET) * K_HASH);
  return h ^ (h >>> 13);
}

// @ts-ignore: decorator
@inline function isLetter(c: i32): bool {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c >= 128;
}

/** P(next bit = 1) in 1..4095 of 4096. */
export function predictBit(): i32 {
  const c1 = c4 & 0xff;
  const x = inputs;
  contextsPredict(nibble, x);
  store<i32>(x + (IN_ORDER0 << 2), stretch(counterP12(load<i32>(order0 + ((<usize>c0) << 2)))));
  matchPredict(c0, bitIndex, c1, x + (IN_MATCH << 2));
  let networkConfidence = 0;
  networkUsed = networkActive;
  if (networkUsed) {
    const pn = networkP1(c0);
    const sn = stretch(pn);
    store<i32>(x + (IN_NETWORK << 2), sn);
    store<i32>(x + ((IN_NETWORK + 1) << 2), stretch(refine(APM_NETWORK, pn, c0 | (c1 << 8))));
    networkConfidence = 1 + ((sn < 0 ? -sn : sn) >> 7);
  } else {
    store<i32>(x + (IN_NETWORK << 2), 0);
    store<i32>(x + ((IN_NETWORK + 1) << 2), 0);
  }
  store<i32>(x + (IN_BIAS << 2), 256);
  select0(expectedBit * 256 + c0);
  select1(found * 256 + c1);
  // Revision 6: the byte before last, with the bit's nibble and its place in the byte's tree. On own validation
  // text (code, markup, JavaScript, prose, man pages, a binary) 0.3-1.0% smaller with the other revision-6
  // changes, for 5% of the coding time; by the byte before last with the bit position alone, half the gain.
  // Revision 7: the classes of the last three bytes instead of the byte before last (on own validation text
  // 0.8% smaller on code, 0.5% on markup and English, 1.4% on 3 MB of JavaScript; a shared library +0.2%, whose
  // bytes before last said more than their classes). The classes of the last two alone (8,192 vectors) gained
  // two thirds of that.
  if (revision7) select2((shape & 0xfff) * 32 + (bitIndex >= 4 ? 16 : 0) + nibble);
  else if (revision6) select2(((c4 >> 8) & 0xff) * 32 + (bitIndex >= 4 ? 16 : 0) + nibble);
  const pMix = mix(networkConfidence == 0 ? c0 : 256 + networkConfidence * 8 + bitIndex);
  const a1 = refine(APM_ORDER1, pMix, c0 | (c1 << 8));
  let p: i32;
  // Revision 5 drops the order-2 APM: on own validation text it gained 0.3-0.4% and took 14% of the coding
  // time (its 8.6 MB map is read at a hashed place every bit), which paid for the bit histories.
  // Revision 10 adds two maps: by the match's state (no match, or the expected bit with the length up to 31),
  // which learns how far to trust a match of each length in each place of the byte, and by the byte before last
  // (a sparse context the mixer's selectors do not see). On own validation text, with apm.ts's both-point update,
  // 0.25-0.30% smaller on code and markup, 0.2-0.5% on English, 0.44% on a shared library and 2.1% on a 1-bit
  // bitmap; the two maps alone gave 0.24% on code and 0.9% on the bitmap, each map alone about 0.2%.
  if (revision10) {
    const am = refine(APM_MATCH, pMix, c0 | (matchState() << 8));
    const as = refine(APM_SPARSE, pMix, c0 | (((c4 >> 8) & 0xff) << 8));
    p = (2 * pMix + 3 * a1 + 2 * am + as + 4) >> 3;
  } else if (revision5) p = (pMix + 3 * a1 + 2) >> 2;
  else {
    const a2 = refine(APM_ORDER2, pMix, c0 | ((<i32>(<u32>((c4 & 0xffff) * PHI) >>> 24)) << 8));
    p = (2 * pMix + 3 * a1 + 3 * a2 + 4) >> 3;
  }
  if (p < 1) p = 1;
  else if (p > 4095) p = 4095;
  return p;
}

/** Revision 10's match state for its APM (after matchPredict): 0 without a prediction, else 1 + 2 * length + bit. */
// @ts-ignore: decorator
@inline function matchState(): i32 {
  if (expectedBit == 0) return 0;
  return 1 + ((matchLength > 31 ? 31 : matchLength) << 1) + expectedBit - 1;
}

/** Learns from the coded bit (after predictBit); after the 8th bit of a byte the byte is complete. */
export function update(bit: i32): void {
  contextsUpdate(bit);
  const o0 = order0 + ((<usize>c0) << 2);
  store<i32>(o0, updateCounter(load<i32>(o0), bit, 255));
  matchUpdate(bit);
  if (networkUsed) apmUpdate(APM_NETWORK, bit);
  mixerUpdate(bit);
  apmUpdate(APM_ORDER1, bit);
  if (revision10) {
    apmUpdate(APM_MATCH, bit);
    apmUpdate(APM_SPARSE, bit);
  } else if (!revision5) apmUpdate(APM_ORDER2, bit);
  c0 = (c0 << 1) | bit;
  nibble = (nibble << 1) | bit;
  bitIndex++;
  if (bitIndex == 4) {
    nibble = 1;
    selectBuckets(c0);
  } else if (bitIndex == 8) {
    byteDone(c0 & 0xff);
  }
}

function byteDone(c: i32): void {
  pushByte(c);
  trackLine(c);
  shape = ((shape << 4) | <i32>load<u8>(byteClasses + <usize>c)) & 0xfffffff;
  trackSyntax(c);
  if (c == 123) {
    if (braceDepth < 15) braceDepth++;
  } else if (c == 125 && braceDepth > 0) braceDepth--;
  if (c == 10) {
    previousLineStart = lineStart;
    lineStart = historyLength;
  }
  if (revision4) {
    pushSuccessor(byteSuccessors + ((<usize>(c4 & 0xff)) << 1), c);
    pushSuccessor(pairSuccessors + ((<usize>(c4 & 0xffff)) << 1), c);
  }
  c8 = (c8 << 8) | (c4 >>> 24);
  c4 = (c4 << 8) | c;
  c0 = 1;
  nibble = 1;
  bitIndex = 0;
  if (isLetter(c)) {
    wordHash = hash2(wordHash, c >= 65 && c <= 90 ? c + 32 : c);
  } else if (wordHash != 0) {
    if (lineWord == 0) lineWord = wordHash;
    previousWordHash2 = previousWordHash;
    previousWordHash = wordHash;
    wordHash = 0;
  }
  matchByteDone();
  recordByteDone();
  clearNetwork();
  setContexts();
}

/**
 * Revision 8's syntax state (see quote): after trackLine, before c4 takes c. Inside a quote or a comment
 * nothing else opens; a quote closes at its own byte unless a backslash precedes it; a line end closes all but a
 * block comment.
 */
// @ts-ignore: decorator
@inline function trackSyntax(c: i32): void {
  const c1 = c4 & 0xff;
  if (c == 10) {
    quote = 0;
    if (comment == 1) comment = 0;
    inTag = 0;
    return;
  }
  if (comment == 2) {
    if (c == 47 && c1 == 42) comment = 0;
    return;
  }
  if (comment == 1) return;
  if (quote != 0) {
    if (c == quote && c1 != 92) quote = 0;
    return;
  }
  if (c == 34 || c == 39 || c == 96) quote = c;
  else if (c == 47 && c1 == 47) comment = 1;
  else if (c == 42 && c1 == 47) comment = 2;
  else if (c == 35 && lineHead == 35) comment = 1;
  else if (c == 60) inTag = 1;
  else if (c == 62) inTag = 0;
}

/** The syntax state in five bits: the quote (none, double, single, back), the comment, the tag. */
// @ts-ignore: decorator
@inline function syntaxState(): i32 {
  const q = quote == 0 ? 0 : quote == 34 ? 1 : quote == 39 ? 2 : 3;
  return q | (comment << 2) | (inTag << 4);
}

/** Revision 6's line state (see lineWord). */
// @ts-ignore: decorator
@inline function trackLine(c: i32): void {
  if (c == 10) {
    previousLineWord = lineWord;
    lineWord = 0;
    lineHead = 0;
    indent = 0;
    inIndent = true;
  } else if (inIndent) {
    if (c == 32 || c == 9) {
      if (indent < 63) indent++;
    } else {
      inIndent = false;
      lineHead = c;
    }
  }
}

// @ts-ignore: decorator
@inline function pushSuccessor(at: usize, c: i32): void {
  store<u16>(at, <u16>((<i32>load<u16>(at) << 8) | c));
}

/** Computes every hashed context for the coming byte and selects their first-nibble buckets. */
export function setContexts(): void {
  setContext(0, hash2(1, c4 & 0xff));
  setContext(1, hash2(2, c4 & 0xffff));
  setContext(2, hash2(3, c4 & 0xffffff));
  setContext(3, hash2(4, c4));
  setContext(4, hash2(hash2(6, c4), c8 & 0xff));
  setContext(5, hash2(7, wordHash));
  setContext(6, hash2(hash2(8, wordHash), previousWordHash));
  const rlen = usefulRecordLength();
  if (rlen > 0) {
    const above = back(rlen);
    setContext(7, hash2(hash2(11, above), (back(rlen - 1) << 8) | back(rlen + 1)));
    setContext(8, hash2(hash2(12, above), (c4 & 0xff) | (rlen << 8)));
    setContext(9, hash2(hash2(13, above), recordColumn()));
    setContext(10, hash2(hash2(14, above), (back(2 * rlen) << 8) | (c4 & 0xff)));
  } else if (revision4) {
    // Text has lines, not records: order 7, and the bytes above in the previous line (the same column and the
    // next), which carry indentation and aligned code and tables; and what followed the last byte the last two
    // times, with the last two bytes. Measured on own validation text (JavaScript, C, Markdown, prose): the
    // first three gave 2.9-3.7% on code and markup and 1.2% on prose, the last 0.2-0.6% more.
    // Revision 6 gives up order 7 (the match model covers long contexts; order 7 was worth 0.05-0.2%) for the
    // line's first word with the last byte and the byte after the indentation (before the first word ends: the
    // previous line's first word, the indentation and that byte). In code a line's first word (if, return,
    // #define, case) says much about the rest of it. On own validation text 0.8% smaller on code, 0.5% on
    // markup, 1.2% on 3 MB of JavaScript, 0.6% on a shared library; English +0.03%, a binary database +0.1%.
    if (revision6) {
      setContext(7, lineWord != 0
        ? hash2(hash2(hash2(28, lineWord), c4 & 0xff), lineHead)
        : hash2(hash2(hash2(29, previousLineWord), c4 & 0xff), indent | (lineHead << 8)));
    } else setContext(7, hash2(hash2(19, c4), c8 & 0xffffff));
    const aboveAt = previousLineStart + (historyLength - lineStart);
    const above = aboveAt < lineStart ? back(historyLength - aboveAt) : 256;
    const aboveNext = aboveAt + 1 < lineStart ? back(historyLength - aboveAt - 1) : 256;
    // Revision 7: the indentation and the line's first byte after it with the classes of the last three bytes,
    // instead of the byte above with the last byte (the weakest context of revision 7's first draft: 0.05-0.08%):
    // on own validation text 0.9% smaller on code and 1 MB of a shared library, 0.5% on markup, 1.0% on 3 MB of
    // JavaScript, 0.1% on English.
    setContext(8, revision7 ? hash2(hash2(34, indent | (lineHead << 8)), shape & 0xfff) : hash2(hash2(20, above), c4 & 0xff));
    setContext(9, hash2(hash2(23, c4 & 0xffff), <i32>load<u16>(byteSuccessors + ((<usize>(c4 & 0xff)) << 1))));
    // Revision 8: the syntax state with the last two bytes, instead of the pair of bytes above (the weakest
    // context of revision 7: removing it cost 0.01-0.27%).
    setContext(10, revision8 ? hash2(hash2(36, syntaxState()), c4 & 0xffff) : hash2(hash2(21, above | (aboveNext << 9)), c4 & 0xffff));
  } else {
    setContext(7, 0);
    setContext(8, 0);
    setContext(9, recordLength > 0 ? hash2(hash2(15, recordColumn()), c4 & 0xff) : 0);
    setContext(10, 0);
  }
  const ml = matchLength;
  setContext(11, ml > 0 ? hash2(hash2(16, predictedByte), ml > 15 ? 15 : ml) : 0);
  // Revision 4: what followed the last two bytes the last two times, instead of the word triple (on own
  // validation text 0.7-1.5% smaller, prose included).
  // Revision 7: instead, the shape of the last seven bytes (their classes, see byteClass) with the last byte: the
  // syntax around the next byte (`) {`, `x = `, `"."`) whatever the names in it. On own validation text, this
  // change alone: 0.4% smaller on code, markup and 3 MB of JavaScript, 0.2-0.4% on English, 0.05% on a shared
  // library; a binary database (man-db's index) +0.5%, which the pair successors suited.
  if (revision8) setContext(12, hash2(hash2(30, shape), (c4 & 0xff) | (syntaxState() << 8)));
  else if (revision7) setContext(12, hash2(hash2(30, shape), c4 & 0xff));
  else if (revision4) setContext(12, hash2(hash2(22, c4 & 0xffff), <i32>load<u16>(pairSuccessors + ((<usize>(c4 & 0xffff)) << 1))));
  else setContext(12, hash2(hash2(hash2(17, wordHash), previousWordHash), previousWordHash2));
  const col = historyLength - lineStart;
  // Revision 7: with the brace depth, which tells a function's body from the top level and one block's lines
  // from another's (on own validation text a further 0.3-0.4% on code and JavaScript, markup unchanged, and
  // Vim's manual 0.3% larger).
  const column = col > 255 ? 255 : col;
  setContext(13, hash2(hash2(18, revision7 ? column | (braceDepth << 8) : column), c4 & 0xff));
  selectBuckets(0);
}

export { APM_COUNT };
