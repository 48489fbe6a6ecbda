// The bundled priors (see coder/prior.ts and build/prior/README.md): what the context-mixing predictor has
// learned from a body of text, loaded so that each stream can start from it. There is one per kind of text,
// each with its own manifest: 'english' (resources/prior.json + prior.bin, the first and still the default),
// 'code' and 'markup' (resources/prior-code.json, prior-markup.json). Archives name a prior by SHA-256 like the
// network; a file that does not match its manifest is refused.
//
// A primed stream's predictor (WebAssembly) reads the file straight into its own memory, section by section:
// no copy of the ~80 MB file is kept or made in between, since fresh memory costs real time here (a page fault
// per 4 KiB, ~290 ms for the whole file). The SHA-256 is checked on the first read, and again whenever the
// file's size, inode or mtime differ from that read.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync, type Stats } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { ModelRef } from '../api.ts';
import { readPriorInto, type SectionTarget } from '../coder/prior.ts';
import { OctozipError } from '../errors.ts';
import { resourcesDir } from './manifest.ts';

export const PRIOR_MANIFEST = 'prior.json';
/** The kinds of text a prior is built for; 'english' was the only one before model packs and keeps its file names. */
export const PRIOR_IDS = ['english', 'code', 'markup'] as const;
export type PriorId = (typeof PRIOR_IDS)[number];

export function isPriorId(id: string): id is PriorId {
  return (PRIOR_IDS as readonly string[]).includes(id);
}

/** The manifest file of a prior in the resources folder. */
export function priorManifestFile(id: PriorId): string {
  return id === 'english' ? PRIOR_MANIFEST : `prior-${id}.json`;
}

export const PriorManifestSchema = z.object({
  name: z.string().min(1),
  kind: z.literal('cm-prior'),
  file: z
    .string()
    .min(1)
    .refine((f) => path.basename(f) === f, { message: 'file must be a bare file name inside the resources folder' }),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'sha256 must be 64 lowercase hex digits'),
  tableBits: z.number().int().min(16).max(28),
  /** The text it learned from: SHA-256 of the decompressed text, its size, and where it came from. */
  text: z.object({ file: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/), bytes: z.number().int().positive(), sources: z.array(z.string()) }),
});
export type PriorManifest = z.infer<typeof PriorManifestSchema>;

export class PriorStore {
  readonly id: PriorId;
  readonly manifest: PriorManifest;
  readonly file: string;
  /** The file as it was when its SHA-256 last matched. */
  #verified: Pick<Stats, 'size' | 'ino' | 'mtimeMs'> | null = null;

  private constructor(id: PriorId, manifest: PriorManifest, dir: string) {
    this.id = id;
    this.manifest = manifest;
    this.file = path.join(dir, manifest.file);
  }

  get ref(): ModelRef {
    return { name: this.manifest.name, sha256: this.manifest.sha256 };
  }

  /** A prior bundled in dir; fails 'missing-model' with a sentence when it is absent or its manifest is bad. */
  static open(dir: string = resourcesDir(), id: PriorId = 'english'): PriorStore {
    const manifestPath = path.join(dir, priorManifestFile(id));
    if (!existsSync(manifestPath)) throw missing(id, `its manifest ${manifestPath} is missing`);
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(manifestPath, 'utf8'));
    } catch {
      throw missing(id, `its manifest ${manifestPath} is not JSON`);
    }
    const parsed = PriorManifestSchema.safeParse(json);
    if (!parsed.success) throw missing(id, `its manifest ${manifestPath} is invalid (${parsed.error.issues[0]?.message})`);
    return new PriorStore(id, parsed.data, dir);
  }

  /**
   * Reads the prior into the arrays target() hands out for its sections (a predictor's own memory), checking
   * the file against the manifest; tableBits must be the manifest's. Throws 'missing-model' when the file is
   * missing, unreadable or not the one the manifest names (the arrays then hold garbage: do not use them).
   */
  loadInto(target: SectionTarget): void {
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch {
      throw new OctozipError(
        'missing-model',
        `The prior ${this.manifest.name} (${this.file}) is missing or unreadable. It is built from build/prior by ` +
          '`npm ci` (or `npm run build:prior`); a packaged Octozip should be reinstalled.',
        { subject: this.file },
      );
    }
    try {
      const stat = fstatSync(fd);
      const known = this.#verified;
      const hash = !known || known.size !== stat.size || known.ino !== stat.ino || known.mtimeMs !== stat.mtimeMs ? createHash('sha256') : null;
      const read = (into: Uint8Array, position: number): void => {
        for (let at = 0; at < into.length; ) {
          const n = readSync(fd, into, at, into.length - at, position + at);
          if (n === 0) throw this.#mismatch('it ended early while being read');
          at += n;
        }
      };
      let tableBits: number;
      try {
        tableBits = readPriorInto(read, stat.size, target, hash ? (bytes) => hash.update(bytes) : null);
      } catch (error) {
        if (error instanceof RangeError && hash) throw this.#mismatch(error.message);
        throw error;
      }
      if (hash) {
        const actual = hash.digest('hex');
        if (actual !== this.manifest.sha256) throw this.#mismatch(`its sha256 is ${actual}`);
        this.#verified = { size: stat.size, ino: stat.ino, mtimeMs: stat.mtimeMs };
      }
      if (tableBits !== this.manifest.tableBits) throw this.#mismatch(`its table size is 2^${tableBits}`);
    } finally {
      closeSync(fd);
    }
  }

  #mismatch(why: string): OctozipError {
    return new OctozipError(
      'missing-model',
      `The prior file ${this.file} does not match its manifest (${why}; expected sha256 ${this.manifest.sha256} for ` +
        `${this.manifest.name}); Octozip refuses to code with other statistics. Run \`npm run build:prior\` or reinstall.`,
      { subject: this.file },
    );
  }
}

function missing(id: PriorId, why: string): OctozipError {
  const what = id === 'english' ? 'The bundled prior' : `The bundled ${id} prior`;
  return new OctozipError('missing-model', `${what} cannot be used: ${why}. Reinstall Octozip.`);
}

const stores = new Map<string, PriorStore>();

/** A prior store of a resources folder, opened once per process. */
export function priorStore(dir: string = resourcesDir(), id: PriorId = 'english'): PriorStore {
  const key = `${id}\0${dir}`;
  let store = stores.get(key);
  if (!store) {
    store = PriorStore.open(dir, id);
    stores.set(key, store);
  }
  return store;
}

/** The bundled prior with this SHA-256 (whichever kind it is), or null when this build has none such. */
export function bundledPrior(sha256: string, dir: string = resourcesDir()): PriorStore | null {
  const sha = sha256.toLowerCase();
  for (const id of PRIOR_IDS) {
    try {
      const store = priorStore(dir, id);
      if (store.manifest.sha256 === sha) return store;
    } catch {
      // this build lacks that prior: another may match
    }
  }
  return null;
}
