// The engine's entry point for the CLI, the app's engine host and the tests.
export * from './api.ts';
export { OctozipError, exitCodeFor, type ErrorCode } from './errors.ts';
export { createArchive } from './jobs/create.ts';
export { extractArchive } from './jobs/extract.ts';
export { addToArchive } from './jobs/add.ts';
export { deleteFromArchive } from './jobs/delete.ts';
export { compactArchive } from './jobs/compact.ts';
export { verifyArchive } from './jobs/verify.ts';
export { archiveInfo, listArchive } from './jobs/inspect.ts';
export { CODEC_IDS, CONFLICT_POLICIES, PRESET_IDS } from './ids.ts';
export { PRESETS, DEFAULT_PRESET, PRESET_CHOICES, BLOCK_SIZE_CHOICES, MIN_BLOCK_BYTES, MAX_BLOCK_BYTES } from './presets.ts';
export { formatBytes, parseByteSize } from './byte-size.ts';
export { OCTOZIP_VERSION } from './version.ts';
// The app's recent-archives catalog is a small SQLite file of its own, opened the way archives are.
export { openDatabase, type SqliteDatabase } from './format/database.ts';
