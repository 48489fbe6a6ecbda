// Maps each CodecId to a factory, loaded lazily: listing and info never import a codec, and the neural
// codec's onnxruntime only loads when a chunk actually needs it.
import type { CodecId, ModelRef } from '../api.ts';
import { OctozipError } from '../errors.ts';
import { CODEC_IDS } from '../ids.ts';
import type { PresetSettings } from '../presets.ts';
import type { Codec } from './codec.ts';

/** What a factory gets: the preset when encoding; the header's params and models when decoding. */
export interface CodecContext {
  /** Present when creating an archive. */
  settings?: PresetSettings;
  /** This codec's params from the archive header, when decoding, or when coding blocks to join the archive's. */
  params?: Readonly<Record<string, unknown>>;
  /** Models the archive header names, when decoding: a factory opens exactly these or fails 'missing-model'. */
  models?: readonly ModelRef[];
  /** Worker threads a codec may code blocks on (default 0: the calling thread). */
  threads?: number;
}

export type CodecFactory = (context: CodecContext) => Promise<Codec>;

const FACTORIES: Partial<Record<CodecId, CodecFactory>> = {
  store: async () => (await import('./store.ts')).createStoreCodec(),
  brotli: async ({ settings }) =>
    (await import('./brotli.ts')).createBrotliCodec({
      quality: settings?.brotliQuality ?? 11,
      windowBits: settings?.brotliWindowBits ?? 24,
    }),
  // With the header's params (decoding, or coding blocks for an archive that has cm blocks already), the priors they
  // name, in their order; without, this build's priors.
  cm: async ({ params, threads }) => {
    const cm = await import('./context-mixing.ts');
    return cm.createContextMixingCodec(params ? { prior: cm.priorFromParams(params), priors: cm.priorsFromParams(params), threads } : { threads });
  },
  // Decoding opens the model the header's params name (failing 'missing-model' when this build lacks it).
  neural: async ({ settings, params }) => {
    const neural = await import('./neural.ts');
    return neural.createNeuralCodec({ model: neural.modelFromParams(params), segmentBytes: settings?.neuralSegmentBytes });
  },
};

export function isKnownCodec(id: string): id is CodecId {
  return (CODEC_IDS as readonly string[]).includes(id);
}

/** Whether this build can encode and decode with `id`. */
export function isCodecAvailable(id: CodecId): boolean {
  return FACTORIES[id] !== undefined;
}

export async function loadCodec(id: CodecId, context: CodecContext = {}): Promise<Codec> {
  const factory = FACTORIES[id];
  if (!factory) {
    throw new OctozipError('missing-model', `This build of Octozip has no '${id}' codec.`);
  }
  return factory(context);
}
