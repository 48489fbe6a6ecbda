// A test that cannot run on this machine (no tmpfs mount, not root, no `script`) skips and says why. Under CI
// (CI=true) the same condition fails instead: CI is set up to run every test (.ci/run), so a skip there would
// pass a check nobody ran.

/** `ctx` is the test's context (vitest's `ctx.skip` ends the test). */
export function skipOrFailInCi(ctx: { skip(note?: string): never }, reason: string, env: NodeJS.ProcessEnv = process.env): never {
  if (env.CI) throw new Error(`${reason}; CI must be able to run this test (see .ci/run)`);
  return ctx.skip(reason);
}
