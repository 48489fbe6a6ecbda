// The bundled model's manifest (resources/model.json, see docs/MODEL.md) and the registry of models this build
// carries, keyed by SHA-256: an archive names the models it needs by hash, and the hash is all we trust.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, createReadStream } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { ModelRef } from '../api.ts';
import { OctozipError } from '../errors.ts';

const positiveInt = z.number().int().positive();

export const ArchitectureSchema = z
  .object({
    type: z.literal('octo-mlp'),
    /** K: context bytes per prediction. */
    context: positiveInt.max(4096),
    /** E: embedding width. */
    embed: positiveInt.max(4096),
    hidden: z.array(positiveInt.max(8192)).min(1),
    /** T: size of every activation lookup table. */
    lutSize: positiveInt.max(1 << 24),
    /** s_l: accumulator of layer l is divided by 2^s_l before the lookup. */
    shifts: z.array(z.number().int().min(0).max(30)),
    outShift: z.number().int().min(0).max(30),
  })
  .refine((a) => a.shifts.length === a.hidden.length, { message: 'shifts must have one entry per hidden layer' })
  .refine((a) => a.lutSize % 2 === 0, { message: 'lutSize must be even (the table is centred on lutSize/2)' });

export const ModelManifestSchema = z.object({
  name: z.string().min(1),
  file: z
    .string()
    .min(1)
    .refine((f) => path.basename(f) === f, { message: 'file must be a bare file name inside the resources folder' }),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'sha256 must be 64 lowercase hex digits'),
  architecture: ArchitectureSchema,
  probTable: z
    .array(z.number().int().min(1).max(1 << 16))
    .min(1)
    .refine((t) => t.every((v, i) => i === 0 || v <= t[i - 1]!), { message: 'probTable must be non-increasing' }),
  parameters: z.number().int().nonnegative(),
  training: z.record(z.string(), z.unknown()).optional(),
  evaluation: z.record(z.string(), z.unknown()).optional(),
});

export type ModelManifest = z.infer<typeof ModelManifestSchema>;

/**
 * Where the bundled models live: $OCTOZIP_RESOURCES_DIR when set (the packaged app sets it), else the repository's
 * resources/ folder, found from this file whether it runs from source or from dist/.
 */
export function resourcesDir(): string {
  const fromEnv = process.env.OCTOZIP_RESOURCES_DIR;
  if (fromEnv) return path.resolve(fromEnv);
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.resolve(here, '../../../resources'), path.resolve(here, '../../../../resources')];
  return candidates.find((dir) => existsSync(dir)) ?? candidates[0]!;
}

export function parseManifest(json: unknown, source: string): ModelManifest {
  const parsed = ModelManifestSchema.safeParse(json);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new OctozipError('missing-model', `The model manifest ${source} is invalid (${why}). Reinstall Octozip.`, {
      subject: source,
    });
  }
  return parsed.data;
}

export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const piece of createReadStream(file)) hash.update(piece as Buffer);
  return hash.digest('hex');
}

/** One model this build carries: its manifest and where its weights are. */
export class BundledModel {
  readonly manifest: ModelManifest;
  readonly onnxPath: string;
  #verified: Promise<void> | null = null;

  constructor(manifest: ModelManifest, dir: string) {
    this.manifest = manifest;
    this.onnxPath = path.join(dir, manifest.file);
  }

  get ref(): ModelRef {
    return { name: this.manifest.name, sha256: this.manifest.sha256 };
  }

  /** Checks the weights file against the manifest's SHA-256 once; a mismatch means these are not the weights archives name. */
  verify(): Promise<void> {
    this.#verified ??= (async () => {
      if (!existsSync(this.onnxPath)) {
        throw new OctozipError(
          'missing-model',
          `The model file ${this.onnxPath} for model ${this.manifest.name} is missing. Reinstall Octozip.`,
          { subject: this.onnxPath },
        );
      }
      const actual = await sha256OfFile(this.onnxPath);
      if (actual !== this.manifest.sha256) {
        throw new OctozipError(
          'missing-model',
          `The model file ${this.onnxPath} does not match its manifest (sha256 ${actual}, expected ` +
            `${this.manifest.sha256} for ${this.manifest.name}); Octozip refuses to code with other weights. Reinstall Octozip.`,
          { subject: this.onnxPath },
        );
      }
    })();
    return this.#verified;
  }
}

/** The models in one resources folder: every *.json there that parses as an octo-mlp manifest. */
export class ModelRegistry {
  readonly dir: string;
  readonly models: readonly BundledModel[];

  private constructor(dir: string, models: BundledModel[]) {
    this.dir = dir;
    this.models = models;
  }

  static open(dir: string = resourcesDir()): ModelRegistry {
    const models: BundledModel[] = [];
    const names = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).sort() : [];
    for (const name of names) {
      const file = path.join(dir, name);
      let json: unknown;
      try {
        json = JSON.parse(readFileSync(file, 'utf8'));
      } catch {
        continue; // not every json file in resources is a manifest
      }
      if ((json as { architecture?: { type?: unknown } })?.architecture?.type !== 'octo-mlp') continue;
      models.push(new BundledModel(parseManifest(json, file), dir));
    }
    // model.json is the default model: list it first.
    models.sort((a, b) => Number(b.manifest.file === 'model.onnx') - Number(a.manifest.file === 'model.onnx'));
    return new ModelRegistry(dir, models);
  }

  /** The model new archives are made with. */
  defaultModel(): BundledModel {
    const model = this.models[0];
    if (!model) {
      throw new OctozipError(
        'missing-model',
        `No model is bundled in ${this.dir} (expected model.json and model.onnx there). Reinstall Octozip, ` +
          'or use the fast preset, which needs no model.',
        { subject: this.dir },
      );
    }
    return model;
  }

  find(sha256: string): BundledModel | undefined {
    return this.models.find((m) => m.manifest.sha256 === sha256.toLowerCase());
  }

  /** The model an archive names; fails with a sentence naming it when this build lacks it. */
  require(ref: ModelRef): BundledModel {
    const model = this.find(ref.sha256);
    if (!model) throw missingModelError(ref);
    return model;
  }
}

export function missingModelError(ref: ModelRef): OctozipError {
  return new OctozipError(
    'missing-model',
    `This archive needs model ${ref.name} (sha256 ${ref.sha256}), which this build of Octozip does not include. ` +
      'Open it with the version of Octozip that created it, or one that bundles that model.',
    { subject: ref.name },
  );
}
