// Path capabilities: main acts only on paths the user chose. A compromised renderer can send any string, so
// every handler that reads, writes, reveals or deletes asks this registry first, and the registry knows only
// what came from a native dialog, a real drop (registered by the preload, never by page script), the OS
// ("open with", the command line), the recent catalog, or a name main derived itself from such a choice.
// No Electron import: main wires it in, and tests run it under Node for both path flavours.
import path from 'node:path';

/** What a chosen path may be used for. Revealing in the file manager is allowed for any of them. */
export type PathUse =
  /** Read as an input of a new archive (files and folders the user picked or dropped). */
  | 'read-input'
  /** Open, list, verify, extract from or drag out of; forget from the recent list. */
  | 'read-archive'
  /** Write a new archive there; never replaces an existing file. */
  | 'create-archive'
  /** Write an archive there, replacing the file there: only a save dialog that confirmed it grants this. */
  | 'replace-archive'
  /** Extract into (a folder), and look there for names that would conflict. */
  | 'extract-into';

export const ARCHIVE_EXTENSION = '.octz';

export type RefusalReason = 'not-chosen' | 'network-path' | 'device-path' | 'not-absolute' | 'not-an-archive-name';

const REFUSALS: Record<RefusalReason, { message: (name: string) => string; nextStep: string }> = {
  'not-chosen': {
    message: (name) => `Octozip did not use “${name}”: it acts only on files and folders you chose.`,
    nextStep: 'Choose it again with a dialog, or drop it on the window.',
  },
  'network-path': {
    message: (name) => `Octozip does not use network paths (\\\\server\\share), so it did not use “${name}”.`,
    nextStep: 'Copy the file to a local folder, or map the share to a drive letter, and choose it again.',
  },
  'device-path': {
    message: (name) => `“${name}” names a Windows device, not a file, so Octozip did not use it.`,
    nextStep: 'Choose a file or folder with an ordinary name.',
  },
  'not-absolute': {
    message: (name) => `“${name}” is not a full path, so Octozip did not use it.`,
    nextStep: 'Choose the file again with a dialog, or drop it on the window.',
  },
  'not-an-archive-name': {
    message: (name) => `Octozip writes archives only under names that end in ${ARCHIVE_EXTENSION}, so it did not write “${name}”.`,
    nextStep: `Choose a name that ends in ${ARCHIVE_EXTENSION}.`,
  },
};

/** A path main will not act on. Its message names only the last part of the path, which the page sent anyway. */
export class PathRefused extends Error {
  readonly reason: RefusalReason;
  readonly nextStep: string;
  constructor(reason: RefusalReason, requested: string) {
    const name = displayName(requested);
    super(REFUSALS[reason].message(name));
    this.name = 'PathRefused';
    this.reason = reason;
    this.nextStep = REFUSALS[reason].nextStep;
  }
}

function displayName(p: string): string {
  const last = p.split(/[\\/]+/).filter((part) => part !== '').at(-1) ?? p;
  return last.length > 80 ? `${last.slice(0, 77)}…` : last;
}

// Win32 reserved device names: `C:\tmp\CON` or `NUL.txt` open a device, whatever folder precedes them.
// Windows compares the part before the first dot, ignoring trailing spaces; superscript digits count too.
const WINDOWS_DEVICE_NAME = /^(con|prn|aux|nul|conin\$|conout\$|com[0-9¹²³]|lpt[0-9¹²³])$/i;

/** Why Windows must not be handed `p`, or null. Checked with path.win32 rules whatever the host OS is. */
export function windowsPathProblem(p: string): RefusalReason | null {
  // Two leading separators: a UNC share (\\host\share, \\host@SSL\x, //host/x), where merely opening the path
  // sends the user's NTLM credentials to that host, or a device namespace (\\.\PhysicalDrive0, \\?\...).
  if (/^[\\/]{2}/.test(p)) return /^[\\/]{2}[.?][\\/]/.test(p) ? 'device-path' : 'network-path';
  // Drive-relative (C:foo) and root-relative (\foo) paths depend on state main does not control.
  if (!/^[A-Za-z]:[\\/]/.test(p)) return 'not-absolute';
  // A colon past the drive names an alternate data stream (file.txt:hidden).
  if (p.indexOf(':', 2) !== -1) return 'device-path';
  for (const part of p.slice(3).split(/[\\/]+/)) {
    if (WINDOWS_DEVICE_NAME.test(part.split('.')[0]!.replace(/ +$/, ''))) return 'device-path';
  }
  return null;
}

function posixPathProblem(p: string): RefusalReason | null {
  return path.posix.isAbsolute(p) ? null : 'not-absolute';
}

export function hasArchiveExtension(p: string): boolean {
  return p.toLowerCase().endsWith(ARCHIVE_EXTENSION);
}

interface Grant {
  /** The path exactly as the dialog, drop or OS gave it, normalized: what handlers pass on. */
  path: string;
  uses: Set<PathUse>;
}

export class PathGrants {
  private readonly windows: boolean;
  private readonly api: typeof path.posix;
  private readonly grants = new Map<string, Grant>();

  constructor(platform: NodeJS.Platform = process.platform) {
    this.windows = platform === 'win32';
    this.api = this.windows ? path.win32 : path.posix;
  }

  /** Why this platform must not be handed `p` at all, or null. */
  problem(p: string): RefusalReason | null {
    return this.windows ? windowsPathProblem(p) : posixPathProblem(p);
  }

  /** Throws PathRefused when this platform must not be handed `p`; returns it normalized. */
  validate(p: string): string {
    const reason = this.problem(p);
    if (reason !== null) throw new PathRefused(reason, p);
    return this.normalize(p);
  }

  /** Records that the user chose `p` for these uses; returns the normalized path, which callers pass on. */
  grant(p: string, ...uses: PathUse[]): string {
    const normal = this.validate(p);
    const writesArchive = uses.includes('create-archive') || uses.includes('replace-archive');
    if (writesArchive && !hasArchiveExtension(normal)) throw new PathRefused('not-an-archive-name', p);
    const key = this.key(normal);
    const existing = this.grants.get(key);
    if (existing) for (const use of uses) existing.uses.add(use);
    else this.grants.set(key, { path: normal, uses: new Set(uses) });
    return normal;
  }

  /** Whether `p` was chosen for `use` (any use when `use` is omitted). Never touches the disk. */
  allows(p: string, use?: PathUse): boolean {
    if (this.problem(p) !== null) return false;
    const grant = this.grants.get(this.key(this.normalize(p)));
    return grant !== undefined && (use === undefined || grant.uses.has(use));
  }

  /**
   * The granted path for `p`, or PathRefused. Handlers use the returned string, never the request's: a request
   * like /chosen/link/../file normalizes to a granted path but would resolve through the link on disk.
   */
  require(p: string, use?: PathUse): string {
    const reason = this.problem(p);
    if (reason !== null) throw new PathRefused(reason, p);
    const grant = this.grants.get(this.key(this.normalize(p)));
    if (grant === undefined || (use !== undefined && !grant.uses.has(use))) throw new PathRefused('not-chosen', p);
    return grant.path;
  }

  /** `p` if it is chosen or is the folder of something chosen (a dialog may start there); otherwise undefined. */
  dialogStart(p: string | undefined): string | undefined {
    if (p === undefined || this.problem(p) !== null) return undefined;
    const key = this.key(this.normalize(p));
    for (const grant of this.grants.values()) {
      const granted = this.key(grant.path);
      if (granted === key || this.key(this.api.dirname(grant.path)) === key) return this.normalize(p);
    }
    return undefined;
  }

  private normalize(p: string): string {
    const normal = this.api.normalize(p);
    const root = this.api.parse(normal).root;
    return normal.length > root.length ? normal.replace(/[\\/]+$/, '') : normal;
  }

  /** Windows file names are case-insensitive; elsewhere an exact match is the safe reading. */
  private key(normal: string): string {
    return this.windows ? normal.toLowerCase() : normal;
  }
}
