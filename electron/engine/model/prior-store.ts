// The bundled priors (see coder/prior.ts and build/prior/README.md): what the context-mixing predictor has
// learned from a body of text, loaded so that each stream can start from it. There is one per kind of text,
// each with its own manifest: 'english' (resources/prior.json + prior.bin, the first and still the default),
// 'code' and 'markup' (resources/prior-code.json, prior-markup.json). Archives name a prior by SHA-256 like the
// network; a file that does not match its manifest is refused.
//
// Each primed stream mutates its copy, so every stream reads the file into a buffer of its own. The file is
// ~80 MB and fresh memory costs real time here (page faults: ~290 ms for the first read, against ~5 ms to read
// it again into a buffer already touched), so released buffers are kept for the next stream. The SHA-256 is
// checked on the first read, and again whenever the file's size, inode or mtime differ from that read.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync, type Stats } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { ModelRef } from '../api.ts';
import { parsePrior, type PredictorPrior } from '../coder/prior.ts';
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
/** How long a released copy is kept for the next stream. */
const POOL_IDLE_MS = 30_000;

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

/** A prior copy whose arrays its holder owns until it gives it back. */
export interface PriorLease {
  readonly prior: PredictorPrior;
  /** The bytes behind the prior's arrays (returned to the pool on release). */
  readonly buffer: Uint8Array;
}

export class PriorStore {
  readonly id: PriorId;
  readonly manifest: PriorManifest;
  readonly file: string;
  /** The file as it was when its SHA-256 last matched. */
  #verified: Pick<Stats, 'size' | 'ino' | 'mtimeMs'> | null = null;
  readonly #pool: Uint8Array[] = [];
  #idleTimer: ReturnType<typeof setTimeout> | undefined;

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

  /** A copy of the prior for one stream, owned by the caller; give it back with release() when the stream is done. */
  acquire(): PriorLease {
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
      let buffer = this.#pool.pop();
      if (!buffer || buffer.length !== stat.size) buffer = new Uint8Array(stat.size);
      for (let at = 0; at < buffer.length; ) {
        const n = readSync(fd, buffer, at, buffer.length - at, at);
        if (n === 0) throw this.#mismatch('it ended early while being read');
        at += n;
      }
      const known = this.#verified;
      if (!known || known.size !== stat.size || known.ino !== stat.ino || known.mtimeMs !== stat.mtimeMs) {
        const actual = createHash('sha256').update(buffer).digest('hex');
        if (actual !== this.manifest.sha256) throw this.#mismatch(`its sha256 is ${actual}`);
        this.#verified = { size: stat.size, ino: stat.ino, mtimeMs: stat.mtimeMs };
      }
      return { prior: parsePrior(buffer), buffer };
    } finally {
      closeSync(fd);
    }
  }

  release(lease: PriorLease): void {
    // One spare is enough: the codecs code one primed stream at a time per thread. It is dropped after a while
    // unused, so a long-lived process (the app's engine host) does not hold ~85 MB between jobs.
    if (this.#pool.length === 0) this.#pool.push(lease.buffer);
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => this.#pool.splice(0), POOL_IDLE_MS);
    this.#idleTimer.unref?.();
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
