// docs/BENCHMARK.md is made of sections, each written by one benchmark, so that running one (say
// `npm run bench:trees`) replaces its own section and keeps the others' last results.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './measure.ts';

export type SectionName = 'canterbury' | 'trees';

/** The order sections appear in, whichever ran last. */
const ORDER: SectionName[] = ['canterbury', 'trees'];

const HEADER =
  '<!-- Written by `npm run bench` (test/bench/bench.ts and the files beside it); rerun it rather than editing by hand. -->\n' +
  '# Benchmark\n';

const begin = (name: string): string => `<!-- section: ${name} -->`;
const end = (name: string): string => `<!-- end of section: ${name} -->`;

/** The sections of an existing report. A report from before sections existed is all Canterbury. */
export function parseSections(text: string): Map<string, string> {
  const sections = new Map<string, string>();
  const marked = /<!-- section: ([a-z-]+) -->\n([\s\S]*?)\n<!-- end of section: \1 -->/g;
  for (const m of text.matchAll(marked)) sections.set(m[1]!, m[2]!);
  if (sections.size === 0 && text.trim() !== '') {
    const body = text.replace(/^<!--.*-->\n/, '').replace(/^# Benchmark\n/, '');
    sections.set('canterbury', body.trim());
  }
  return sections;
}

export function renderReport(sections: Map<string, string>): string {
  const names = [...ORDER.filter((n) => sections.has(n)), ...[...sections.keys()].filter((n) => !ORDER.includes(n as SectionName))];
  return HEADER + names.map((n) => `\n${begin(n)}\n${sections.get(n)!}\n${end(n)}\n`).join('');
}

/** Replaces (or adds) the named sections of docs/BENCHMARK.md, keeping the rest; written atomically. */
export function writeReportSections(replaced: Partial<Record<SectionName, string[]>>): string {
  const file = path.join(repoRoot, 'docs/BENCHMARK.md');
  const sections = parseSections(existsSync(file) ? readFileSync(file, 'utf8') : '');
  for (const [name, lines] of Object.entries(replaced)) sections.set(name, lines!.join('\n').trim());
  mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.tmp-${process.pid}`;
  writeFileSync(temp, renderReport(sections));
  renameSync(temp, file);
  return file;
}
