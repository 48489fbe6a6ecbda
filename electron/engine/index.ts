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
export { PRESETS, DEFAULT_PRESET } from './presets.ts';
