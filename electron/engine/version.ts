// The program's version, as the CLI's --version and each archive's header ("creator") state it. Kept in step with
// package.json's "version" by test/engine/version.test.ts: reading package.json at run time would need a path
// that differs between the source tree, dist/ and the packaged app.
export const OCTOZIP_VERSION = '0.1.0';

/** Who wrote an archive, as its header records it. */
export const CREATOR = `octozip ${OCTOZIP_VERSION}`;
