// Where the benchmark corpus lives: ../shared/corpus/canterbury beside the checkout (as in CI), or
// OCTOZIP_CORPUS_DIR. Tests may measure on it; nothing may train on it.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const CORPUS_DIR = path.resolve(process.env.OCTOZIP_CORPUS_DIR ?? path.join(repoRoot, '../shared/corpus/canterbury'));

export function corpusFile(name: string): string {
  return path.join(CORPUS_DIR, name);
}
