// The desktop app end to end: the built renderer in Chromium, the real handlers, the real engine host process,
// real files on disk. Each screen's screenshot goes to docs/screenshots/ (shown in the README).
// Needs `vite build` of the renderer first (npm test does it).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PRESET, PRESET_CHOICES } from '../../electron/engine/index.ts';
import { blocksOfEntry } from '../helpers/blocks.ts';
import { launchApp, RENDERER_DIST, type TestApp } from './bridge.ts';

const SCREENSHOTS = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));

let work: string;
let app: TestApp;

// playwright-core has no assertion library; these wait the way its `expect` would, then assert with vitest.
const visible = (l: Locator, timeout = 15_000) => l.waitFor({ state: 'visible', timeout });
const hidden = (l: Locator) => l.waitFor({ state: 'hidden' });
const poll = <T>(fn: () => T | Promise<T>, timeout = 15_000) => expect.poll(fn, { timeout, interval: 50 });

/** Deterministic bytes that brotli cannot shrink, so a 'fast' job takes long enough to watch and cancel. */
function incompressible(bytes: number, seed: number): Buffer {
  const b = Buffer.alloc(bytes);
  let x = seed;
  for (let i = 0; i < bytes; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

function prose(lines: number, seed: number): string {
  const words = 'the archive keeps every byte of each file while a small model predicts the next one and a coder writes bits'.split(' ');
  let x = seed;
  const out: string[] = [];
  for (let l = 0; l < lines; l++) {
    const line: string[] = [];
    for (let w = 0; w < 11; w++) {
      x = (x * 1103515245 + 12345) >>> 0;
      line.push(words[(x >>> 16) % words.length]!);
    }
    out.push(line.join(' '));
  }
  return `${out.join('\n')}\n`;
}

/** Every file under `dir`, as relative path -> bytes. */
function tree(dir: string, prefix = ''): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${d.name}` : d.name;
    if (d.isDirectory()) for (const [k, v] of tree(join(dir, d.name), rel)) files.set(k, v);
    else files.set(rel, readFileSync(join(dir, d.name)));
  }
  return files;
}

beforeAll(async () => {
  if (!existsSync(join(RENDERER_DIST, 'index.html'))) throw new Error('Build the renderer first: npm run build:renderer');
  mkdirSync(SCREENSHOTS, { recursive: true });
  work = mkdtempSync(join(tmpdir(), 'octozip-e2e-'));
  const project = join(work, 'project');
  mkdirSync(join(project, 'docs', 'guides'), { recursive: true });
  mkdirSync(join(project, 'src'), { recursive: true });
  writeFileSync(join(project, 'README.md'), `# Project\n\n${prose(40, 1)}`);
  writeFileSync(join(project, 'docs', 'design.md'), prose(120, 2));
  writeFileSync(join(project, 'docs', 'guides', 'install.md'), prose(60, 3));
  writeFileSync(join(project, 'src', 'main.ts'), 'export const answer = 42;\n'.repeat(300));
  writeFileSync(join(project, 'src', 'data.json'), JSON.stringify(Array.from({ length: 400 }, (_, i) => ({ id: i, name: `item ${i}` }))));
  writeFileSync(join(project, 'logo.bin'), incompressible(3000, 9));
  app = await launchApp(work, { screenshotsDir: SCREENSHOTS });
});

afterAll(async () => {
  await app?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('Octozip desktop app', () => {
  it('creates an archive from a dropped folder, beside it, and shows the summary', async () => {
    const { page } = app;
    await visible(page.getByRole('heading', { name: 'Drop files here' }));
    await app.drop([join(work, 'project')]);

    await visible(page.getByRole('heading', { name: 'New archive' }));
    await poll(() => page.getByLabel('Save as').inputValue()).toBe(join(work, 'project.octz'));
    // The presets and their words come from the engine, over IPC.
    for (const choice of PRESET_CHOICES) await visible(page.getByText(choice.description));
    await page.getByLabel(/Fast/).check();
    // The block size: the preset's own by default, named with the engine's size for that preset; or one chosen.
    const blockSize = page.getByLabel('Solid block size');
    await poll(() => blockSize.locator('option').first().textContent()).toBe("The preset's (8 MiB)");
    await blockSize.selectOption({ label: '4 MiB' });
    await app.screenshot('create');
    await page.getByRole('button', { name: 'Create project.octz' }).click();

    await visible(page.getByRole('heading', { name: 'Created project.octz' }));
    expect(existsSync(join(work, 'project.octz'))).toBe(true);
    const db = new Database(join(work, 'project.octz'), { readonly: true });
    try {
      expect(db.prepare("SELECT value FROM header WHERE key = 'block_bytes'").pluck().get()).toBe(String(4 * 1024 * 1024));
    } finally {
      db.close();
    }
    await visible(page.getByText('Original size'));
    await visible(page.getByText('The Fast preset uses brotli only.'));
  });

  it('browses the entries: folder tree, sortable and filterable table', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'Browse archive' }).click();
    await visible(page.getByRole('heading', { name: 'project.octz' }));
    await page.getByRole('button', { name: 'Open folder project' }).click();
    const rows = page.locator('table.entries tbody tr');
    await poll(() => rows.count()).toBe(4);
    // Folders first, then files by name.
    expect((await rows.locator('td.name').allTextContents()).map((t) => t.trim())).toEqual(['docs', 'src', 'logo.bin', 'README.md']);
    // Each file shows the codec of its block: the incompressible logo is stored, the text is brotli (Fast).
    await visible(rows.filter({ hasText: 'logo.bin' }).getByRole('cell', { name: 'store', exact: true }));
    await visible(rows.filter({ hasText: 'README.md' }).getByRole('cell', { name: 'brotli', exact: true }));
    const sizeHeader = page.getByRole('columnheader', { name: /Size/ });
    await sizeHeader.getByRole('button').click();
    await poll(() => sizeHeader.getAttribute('aria-sort')).toBe('descending');
    await page.getByRole('navigation', { name: 'Folders' }).getByRole('button', { name: /docs/ }).click();
    await visible(page.getByRole('navigation', { name: 'Folders' }).getByRole('button', { name: /guides/ }));
    await page.getByRole('button', { name: 'All files' }).click();
    await page.getByRole('button', { name: 'Open folder project' }).click();
    await app.screenshot('browse');

    await page.getByLabel('Filter entries').fill('.md');
    await poll(() => rows.count()).toBe(3);
    await page.getByLabel('Filter entries').fill('');
  });

  it('extracts everything to a chosen folder, identical to the originals; asks before touching existing files', async () => {
    const { page, dialogs } = app;
    const out = join(work, 'out');
    mkdirSync(out);
    dialogs.extractFolders.push(out);
    await page.getByRole('button', { name: 'Extract all…' }).click();
    await visible(page.getByRole('heading', { name: /^Extracted \d+ files$/ }));
    expect(tree(join(out, 'project'))).toEqual(tree(join(work, 'project')));

    // Again into the same folder: the conflict prompt, then "Keep both" writes renamed copies and changes nothing.
    await page.getByRole('button', { name: 'Back to archive' }).click();
    dialogs.extractFolders.push(out);
    await page.getByRole('button', { name: 'Extract all…' }).click();
    const prompt = page.getByRole('dialog', { name: /already exists/ });
    await visible(prompt);
    await app.screenshot('conflict');
    await prompt.getByRole('button', { name: 'Keep both' }).click();
    await visible(page.getByRole('heading', { name: /^Extracted/ }));
    // Every original is untouched, and each has a renamed twin with the same bytes.
    const original = tree(join(work, 'project'));
    const after = tree(join(out, 'project'));
    expect(after.size).toBe(2 * original.size);
    for (const [path, bytes] of original) expect(after.get(path), path).toEqual(bytes);
    expect([...after.values()].filter((b) => [...original.values()].some((o) => o.equals(b)))).toHaveLength(after.size);
    await visible(page.getByRole('definition').filter({ hasText: String(original.size) }).first());
    await page.getByRole('button', { name: 'Back to archive' }).click();
  });

  it('extracts a selection only', async () => {
    const { page, dialogs } = app;
    const out = join(work, 'selection');
    mkdirSync(out);
    await page.getByRole('button', { name: 'Open folder project' }).click();
    await page.getByLabel('Select README.md').check();
    dialogs.extractFolders.push(out);
    await page.getByRole('button', { name: 'Extract 1 item…' }).click();
    await visible(page.getByRole('heading', { name: 'Extracted 1 file' }));
    expect([...tree(out).keys()]).toEqual(['project/README.md']);
    expect(readFileSync(join(out, 'project', 'README.md'))).toEqual(readFileSync(join(work, 'project', 'README.md')));
    await page.getByRole('button', { name: 'Back to archive' }).click();
  });

  it('drags entries out through main (webContents.startDrag stand-in receives extracted files)', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'Open folder project' }).click();
    const row = page.locator('table.entries tbody tr', { hasText: 'README.md' });
    await row.dispatchEvent('dragstart');
    await poll(() => app.drags.length).toBe(1);
    expect(readFileSync(app.drags[0]![0]!)).toEqual(readFileSync(join(work, 'project', 'README.md')));
  });

  it('verifies: every entry intact, the report can be saved', async () => {
    const { page, dialogs } = app;
    await page.getByRole('button', { name: 'Verify' }).focus();
    await page.keyboard.press('Enter');
    await visible(page.getByRole('heading', { name: 'Every entry is intact' }));
    // Every file and folder has a row, and none is anything but intact.
    expect(await page.getByRole('cell', { name: 'Intact', exact: true }).count()).toBeGreaterThanOrEqual(6);
    expect(await page.getByRole('cell', { name: /Damaged|Missing model/ }).count()).toBe(0);
    await app.screenshot('verify-report');
    const reportPath = join(work, 'report.txt');
    dialogs.reportDestinations.push(reportPath);
    await page.getByRole('button', { name: 'Save report…' }).click();
    await poll(() => existsSync(reportPath)).toBe(true);
    expect(readFileSync(reportPath, 'utf8')).toContain('Result: intact');
  });

  it('lists the archive in the recent catalog, with its verify result', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'Back to archive' }).click();
    await page.getByRole('button', { name: 'Close' }).click();
    await visible(page.getByRole('heading', { name: 'Recent archives' }));
    await visible(page.getByRole('button', { name: 'Open project.octz' }));
    await visible(page.getByText('Verified intact'));
    await app.screenshot('welcome');
  });

  it('reports damage in a damaged archive', async () => {
    const { page } = app;
    const damaged = join(work, 'damaged.octz');
    writeFileSync(damaged, readFileSync(join(work, 'project.octz')));
    // Flip one byte in the payload of the block holding docs/design.md; the archive still opens. The .md files
    // share that solid block; the code, JSON and binary files lie in blocks of their own kinds.
    const [blockId] = await blocksOfEntry(damaged, 'project/docs/design.md');
    expect(await blocksOfEntry(damaged, 'project/README.md')).toEqual([blockId]);
    expect(await blocksOfEntry(damaged, 'project/logo.bin')).not.toContain(blockId);
    const db = new Database(damaged);
    const row = db.prepare('SELECT payload FROM block WHERE id = ?').get(blockId) as { payload: Buffer };
    const payload = Buffer.from(row.payload);
    payload[payload.length >> 1]! ^= 0x40;
    db.prepare('UPDATE block SET payload = ? WHERE id = ?').run(payload, blockId);
    db.close();

    await app.drop([damaged]);
    await visible(page.getByRole('heading', { name: 'damaged.octz' }));
    await page.getByRole('button', { name: 'Verify' }).click();
    await visible(page.getByRole('heading', { name: 'Verify found problems' }));
    await page.getByLabel('Show only problems').check();
    await visible(page.locator('tbody tr', { hasText: 'project/docs/design.md' }).getByText('Damaged'));
    await visible(page.locator('tbody tr', { hasText: 'project/README.md' }).getByText('Damaged'));
    await poll(() => page.locator('tbody tr', { hasText: 'project/logo.bin' }).count()).toBe(0); // intact: not a problem
    await app.screenshot('verify-damaged');
    await page.getByRole('button', { name: 'Back to archive' }).click();
    await page.getByRole('button', { name: 'Close' }).click();
  });

  it('shows a plain error with a next step for a file that is not an archive', async () => {
    const { page } = app;
    const bogus = join(work, 'notes.octz');
    writeFileSync(bogus, 'These are notes, not an archive.\n');
    await app.drop([bogus]);
    const alert = page.getByRole('alert');
    await visible(page.getByRole('heading', { name: 'This is not an Octozip archive' }));
    await poll(() => alert.textContent()).toContain('Choose a file that ends in .octz');
    expect(await alert.textContent()).not.toMatch(/at .*\.(ts|js):\d+/);
    await app.screenshot('error');
    await page.getByRole('button', { name: 'Back' }).click();
  });

  it('shows progress while compressing, and Cancel leaves nothing behind', async () => {
    const { page } = app;
    const big = join(work, 'big');
    mkdirSync(big);
    for (let i = 0; i < 3; i++) writeFileSync(join(big, `part-${i}.bin`), incompressible(4 << 20, 100 + i));
    await app.drop([big]);
    // Balanced: the context mixer takes tens of seconds on 12 MB and reports bytes inside its one block, so the
    // bar moves long before the job could end (fast's brotli finished 24 MB before Cancel could be pressed).
    await page.getByLabel(/Balanced/).check();
    await page.getByRole('button', { name: 'Create big.octz' }).click();
    await visible(page.getByRole('heading', { name: 'Creating big.octz' }));
    // Wait until some bytes are done so the screenshot shows speed, time left and ratio.
    await poll(() => page.getByRole('progressbar').getAttribute('aria-valuetext'), 30_000).toMatch(/^([1-9]\d*) percent$/);
    await app.screenshot('progress');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await visible(page.getByRole('heading', { name: 'New archive' }));
    await poll(() => page.getByRole('status').textContent()).toBe('Cancelled. Nothing was changed.');
    expect(existsSync(join(work, 'big.octz'))).toBe(false);
    expect(readdirSync(work).filter((f) => f.includes('big.octz'))).toEqual([]);
    await page.getByRole('button', { name: 'Back' }).click();
  });

  it('compresses prose with the default preset: context mixing wins, smaller than brotli alone', async () => {
    const { page } = app;
    expect(DEFAULT_PRESET).toBe('balanced');
    const note = join(work, 'letter.txt');
    writeFileSync(note, prose(150, 7));
    await app.drop([note]);
    await page.getByLabel(/Balanced/).check();
    await page.getByRole('button', { name: 'Create letter.octz' }).click();
    await visible(page.getByRole('heading', { name: 'Created letter.octz' }), 60_000);
    await visible(page.getByText(/\d+% smaller than brotli alone\./));
    await app.screenshot('summary');
    await page.getByRole('button', { name: 'Browse archive' }).click();
    await visible(page.getByRole('heading', { name: 'letter.octz' }));
    await visible(page.getByRole('row', { name: /letter\.txt/ }).getByRole('cell', { name: 'cm', exact: true }));
  });

  it('follows the OS dark theme and stays usable in a small window', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('button', { name: 'Open project.octz' }).click();
    await page.getByRole('button', { name: 'Open folder project' }).click();
    await page.emulateMedia({ colorScheme: 'dark' });
    const background = await page.evaluate('getComputedStyle(document.documentElement).backgroundColor');
    expect(background).toBe('rgb(21, 23, 28)');
    await app.screenshot('dark');
    await page.setViewportSize({ width: 560, height: 480 });
    await hidden(page.getByRole('navigation', { name: 'Folders' }));
    await visible(page.getByRole('button', { name: 'Extract all…' }));
    await app.screenshot('small-window');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1000, height: 660 });
  });

  it('refuses a file that page script "drops" without a real drop, and says so plainly', async () => {
    const { page } = app;
    const secret = join(work, 'secret.txt');
    writeFileSync(secret, 'not chosen');
    // The page bridge's drop without the preload's registration: what a compromised page could do.
    await page.evaluate((p) => (globalThis as unknown as { __octozipDrop(m: Record<string, string>): void }).__octozipDrop({ 'secret.txt': p }), secret);
    await visible(page.getByRole('heading', { name: 'Octozip did not use that file' }));
    await poll(() => page.getByRole('alert').textContent()).toContain('it acts only on files and folders you chose');
    expect(await page.getByRole('alert').textContent()).not.toContain(work);
    expect(existsSync(join(work, 'secret.octz'))).toBe(false);
    await page.getByRole('button', { name: 'Back' }).click();
  });

  it('logged no errors in the page (a CSP violation would show here)', () => {
    expect(app.pageErrors).toEqual([]);
  });
});
