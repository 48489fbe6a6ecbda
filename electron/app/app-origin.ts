// The renderer is served from a custom scheme, never file:// and never the network: one origin that main can
// recognise in every IPC sender check, with the same Content Security Policy as the page's meta tag.
import path, { extname, join, normalize, sep } from 'node:path';

export const APP_SCHEME = 'app';
export const APP_HOST = 'octozip';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** Identical to the meta tag in renderer/index.html (a test holds them equal). */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
  "connect-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'";

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

export function contentTypeFor(file: string): string {
  return CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** The file under rendererDir that an app:// URL names, or null for another host or a path leaving the folder. */
export function resolveAppFile(rendererDir: string, url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(parsed.pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0')) return null;
  const relative = pathname === '/' ? 'index.html' : pathname.replace(/^\/+/, '');
  const root = normalize(rendererDir + sep);
  const file = normalize(join(root, relative));
  return file.startsWith(root) ? file : null;
}

/** Main answers IPC only from the main frame of its own windows showing our own page. */
export function isTrustedSender(sender: { frameUrl: string | null; isMainFrame: boolean; ownWindow: boolean }): boolean {
  if (!sender.ownWindow || !sender.isMainFrame || sender.frameUrl === null) return false;
  try {
    const u = new URL(sender.frameUrl);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}

/**
 * An archive named on the command line ("open with", file association on Windows and Linux), if any, made
 * absolute against `cwd`: the working directory of the instance whose command line it is.
 */
export function archivePathFromArgv(argv: readonly string[], cwd: string, pathApi: Pick<typeof path, 'resolve'> = path): string | null {
  for (let i = argv.length - 1; i >= 1; i--) {
    const arg = argv[i]!;
    if (!arg.startsWith('-') && arg.toLowerCase().endsWith('.octz')) return pathApi.resolve(cwd, arg);
  }
  return null;
}
