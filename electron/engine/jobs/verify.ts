// verify: SQLite integrity, header and table sanity, then every chunk decoded and checked, every file hashed.
// Reports per entry instead of stopping at the first problem.
import crypto from 'node:crypto';
import path from 'node:path';
import type { EntryReport, VerifyOptions, VerifyReport } from '../api.ts';
import { OctozipError } from '../errors.ts';
import { ArchiveReader } from '../format/reader.ts';
import type { ChunkRecord, ContentRecord, StoredEntry } from '../format/records.ts';
import { ChunkDecoder, planContent, type ChunkJob } from './chunk-decoder.ts';
import { entryProblem, printable } from './entry-checks.ts';
import { ExtractBudget, MAX_CHUNK_RATIO, resolveExtractLimits } from '../limits.ts';
import { ProgressTracker } from './progress.ts';

interface ContentVerdict {
  verdict: 'intact' | 'damaged' | 'missing-model';
  problem?: string;
}

export async function verifyArchive(options: VerifyOptions): Promise<VerifyReport> {
  const started = performance.now();
  const archivePath = path.resolve(options.archivePath);
  const reader = ArchiveReader.open(archivePath);
  const decoder = new ChunkDecoder(reader, options.signal);
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
    const plans = new Map<number, ChunkRecord[]>();
    const hashes = new Map<number, crypto.Hash>();
    for (const content of contents.values()) {
      try {
        plans.set(content.id, planContent(reader, content, MAX_CHUNK_RATIO));
        hashes.set(content.id, crypto.createHash('sha256'));
      } catch (err) {
        if (!(err instanceof OctozipError)) throw err;
        verdicts.set(content.id, { verdict: 'damaged', problem: err.message });
      }
    }

    const totalBytes = [...plans.keys()].reduce((sum, id) => sum + contents.get(id)!.size, 0);
    const packedBytes = [...plans.keys()].reduce((sum, id) => sum + contents.get(id)!.packedSize, 0);
    try {
      new ExtractBudget(resolveExtractLimits(undefined), archivePath).checkDeclaredRatio(totalBytes, packedBytes);
    } catch (err) {
      if (!(err instanceof OctozipError)) throw err;
      return { ok: false, problems: [...problems, `${err.message} Nothing was decoded.`], entries: [], seconds: (performance.now() - started) / 1000 };
    }
    const progress = new ProgressTracker(options.onProgress, 'verify', { bytes: totalBytes, entries: entries.length });
    progress.emit(true);

    function* chunkJobs(): Generator<ChunkJob> {
      for (const [id, chunks] of plans) for (const chunk of chunks) yield { content: contents.get(id)!, chunk, owner: id };
    }
    for await (const decoded of decoder.decode(chunkJobs())) {
      const id = decoded.job.content.id;
      progress.bytesDone += decoded.job.chunk.rawSize;
      progress.emit();
      if (verdicts.has(id)) continue; // already failed: report its first problem only
      if (decoded.error) {
        if (decoded.error.code === 'cancelled') throw decoded.error;
        verdicts.set(id, {
          verdict: decoded.error.code === 'missing-model' ? 'missing-model' : 'damaged',
          problem: decoded.error.message,
        });
        continue;
      }
      hashes.get(id)!.update(decoded.raw);
    }
    for (const [id, hash] of hashes) {
      if (verdicts.has(id)) continue;
      const content = contents.get(id)!;
      verdicts.set(
        id,
        hash.digest('hex') === content.sha256 ? { verdict: 'intact' } : { verdict: 'damaged', problem: 'The content does not match its SHA-256.' },
      );
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
    await decoder.close();
    reader.close();
  }
}
