// verify: SQLite integrity, header and catalog sanity, then every block holding a file decoded whole and checked
// against its hash, every file against its checksum. Reports per entry instead of stopping at the first problem.
import path from 'node:path';
import type { EntryReport, VerifyOptions, VerifyReport } from '../api.ts';
import { OctozipError } from '../errors.ts';
import { ArchiveReader } from '../format/reader.ts';
import type { ContentRecord, StoredEntry } from '../format/records.ts';
import { BlockDecoder } from './block-decoder.ts';
import { ContentCheck, streamContents } from './content-stream.ts';
import { entryProblem, printable } from './entry-checks.ts';
import { codingThreads } from './coding-threads.ts';
import { blocksOf } from './extract.ts';
import { ExtractBudget, resolveExtractLimits } from '../limits.ts';
import { ProgressTracker } from './progress.ts';

interface ContentVerdict {
  verdict: 'intact' | 'damaged' | 'missing-model';
  problem?: string;
}

export async function verifyArchive(options: VerifyOptions): Promise<VerifyReport> {
  const started = performance.now();
  const archivePath = path.resolve(options.archivePath);
  const reader = ArchiveReader.open(archivePath);
  let decoder: BlockDecoder | null = null;
  try {
    await reader.unlock(options.password);
    const problems = reader.integrityProblems().map((p) => `SQLite integrity check: ${p}`);
    let entries: StoredEntry[];
    let contents: Map<number, ContentRecord>;
    try {
      entries = reader.entries();
      contents = reader.contents();
    } catch (err) {
      if (!(err instanceof OctozipError)) throw err;
      return { ok: false, problems: [...problems, err.message], entries: [], seconds: (performance.now() - started) / 1000 };
    }

    const verdicts = new Map<number, ContentVerdict>();
    const totalBytes = [...contents.values()].reduce((sum, c) => sum + c.size, 0);
    const packedBytes = [...contents.values()].reduce((sum, c) => sum + c.packedSize, 0);
    try {
      new ExtractBudget(resolveExtractLimits(undefined), archivePath).checkDeclaredRatio(totalBytes, packedBytes);
    } catch (err) {
      if (!(err instanceof OctozipError)) throw err;
      return { ok: false, problems: [...problems, `${err.message} Nothing was decoded.`], entries: [], seconds: (performance.now() - started) / 1000 };
    }
    const progress = new ProgressTracker(options.onProgress, 'verify', { bytes: totalBytes, entries: entries.length });
    progress.emit(true);

    const checks = new Map<number, ContentCheck>();
    const needed = blocksOf(reader, contents.values());
    const threads = codingThreads(options.threads, needed.blocks, needed.bytes);
    decoder = new BlockDecoder(reader, options.signal, threads);
    const onBlockFailed = (block: { id: number }, error: OctozipError) =>
      problems.push(error.message.startsWith(`Block ${block.id} `) ? error.message : `Block ${block.id}: ${error.message}`);
    let checked = 0;
    const onPartial = (bytes: number) => {
      progress.bytesDone = Math.max(progress.bytesDone, checked + bytes);
      progress.emit();
    };
    for await (const event of streamContents(reader, decoder, contents.values(), { wholeBlocks: true, threads, onBlockFailed, onPartial })) {
      const id = event.content.id;
      if (event.error) {
        if (event.error.code === 'cancelled') throw event.error;
        verdicts.set(id, { verdict: event.error.code === 'missing-model' ? 'missing-model' : 'damaged', problem: event.error.message });
        continue;
      }
      let check = checks.get(id);
      if (!check) checks.set(id, (check = new ContentCheck(event.content)));
      check.update(event.bytes);
      checked += event.bytes.length;
      progress.bytesDone = Math.max(progress.bytesDone, checked);
      progress.emit();
      if (event.last) {
        verdicts.set(id, check.matches() ? { verdict: 'intact' } : { verdict: 'damaged', problem: 'The content does not match its checksum.' });
        checks.delete(id);
      }
    }

    const byPath = new Map(entries.map((e) => [e.path, e]));
    const reports: EntryReport[] = entries.map((entry) => {
      if (!entry.metaIntact) return { path: entry.path, verdict: 'damaged', problem: 'Its name or attributes fail their checksum.' };
      const unsafe = entryProblem(entry, byPath);
      if (unsafe) return { path: entry.path, verdict: 'damaged', problem: `Unsafe entry: ${unsafe}.` };
      if (entry.type !== 'file') return { path: entry.path, verdict: 'intact' };
      const content = entry.contentId === null ? undefined : contents.get(entry.contentId);
      if (!content || content.size !== entry.size) {
        return { path: entry.path, verdict: 'damaged', problem: `The content of "${printable(entry.path)}" is missing or the wrong size.` };
      }
      const verdict = verdicts.get(content.id) ?? { verdict: 'damaged', problem: 'The content was not checked.' };
      return { path: entry.path, ...verdict };
    });
    if (byPath.size !== entries.length) problems.push('Some entry paths appear more than once.');
    progress.entriesDone = entries.length;
    progress.emit(true);
    return {
      ok: problems.length === 0 && reports.every((r) => r.verdict === 'intact'),
      problems,
      entries: reports,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await decoder?.close();
    reader.close();
  }
}
