// The ids a user or an archive can name, defined once. Everything else derives from these arrays: the types in
// api.ts, the CLI's choices, the IPC schemas, the codec registry and the presets the app shows.
// No imports: the contract, which main and the preload load, reads this file.

/** Compression presets, as a user picks them. */
export const PRESET_IDS = ['fast', 'balanced', 'maximum'] as const;

/** Codecs an archive chunk can be stored with: 'cm' is context mixing alone, 'neural' the network feeding it. */
export const CODEC_IDS = ['store', 'brotli', 'cm', 'neural'] as const;

/** What to do when an extracted entry's path already exists. */
export const CONFLICT_POLICIES = ['overwrite', 'skip', 'rename'] as const;
