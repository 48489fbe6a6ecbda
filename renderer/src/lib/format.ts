// How numbers read in the UI. Sizes are decimal (kB = 1000 B), as Finder, GNOME Files and Keka show them.

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];

/** A size that is a whole number of mebibytes (a solid block size), as 7-Zip writes it: "16 MiB". */
export function formatMebibytes(bytes: number): string {
  return `${bytes / (1024 * 1024)} MiB`;
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  if (bytes < 1000) return `${Math.round(bytes)} B`;
  let value = bytes;
  let unit = 0;
  while (value >= 999.5 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${UNITS[unit]}`;
}

export function formatSpeed(bytesPerSecond: number): string {
  return bytesPerSecond > 0 && Number.isFinite(bytesPerSecond) ? `${formatBytes(bytesPerSecond)}/s` : '—';
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  if (seconds < 0.05) return 'under 0.1 s';
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole} s`;
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  return h > 0 ? `${h} h ${m} min` : `${m} min ${s} s`;
}

/** Time left at the current speed, or null while it cannot be known yet. */
export function estimateSecondsLeft(bytesDone: number, bytesTotal: number, bytesPerSecond: number): number | null {
  if (bytesPerSecond <= 0 || bytesTotal <= 0 || bytesDone <= 0) return null;
  return Math.max(0, (bytesTotal - bytesDone) / bytesPerSecond);
}

/** Compression ratio raw:packed, e.g. "3.21×"; "—" when there is nothing to compare. */
export function formatRatio(rawBytes: number, packedBytes: number): string {
  if (rawBytes <= 0 || packedBytes <= 0) return '—';
  const r = rawBytes / packedBytes;
  return `${r >= 100 ? r.toFixed(0) : r.toFixed(2)}×`;
}

export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return '—';
  return `${(fraction * 100).toFixed(fraction !== 0 && Math.abs(fraction) < 0.1 ? 1 : 0)}%`;
}

export function formatBitsPerByte(bpb: number): string {
  return Number.isFinite(bpb) ? `${bpb.toFixed(3)} bits/byte` : '—';
}

export function formatCount(n: number, singular: string, plural = `${singular}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? singular : plural}`;
}

export function formatDate(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return '—';
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** How the archive compares with the classical codec alone, as a sentence fragment. */
export function describeGainOverClassical(packedBytes: number, classicalBytes: number | null): string {
  if (classicalBytes === null) return 'Not compared with brotli, which was tried only where it could have won.';
  if (classicalBytes <= 0 || packedBytes <= 0) return 'No data to compare with brotli.';
  const gain = 1 - packedBytes / classicalBytes;
  if (Math.abs(gain) < 0.0005) return 'Same size as brotli alone.';
  return gain > 0 ? `${formatPercent(gain)} smaller than brotli alone.` : `${formatPercent(-gain)} larger than brotli alone.`;
}

/** Last path component, for either separator. */
export function baseName(path: string): string {
  const trimmed = path.replace(/[\\/]+$/, '');
  const i = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
  return i >= 0 ? trimmed.slice(i + 1) : trimmed;
}

/** Parent folder, for either separator. */
export function dirName(path: string): string {
  const trimmed = path.replace(/[\\/]+$/, '');
  const i = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
  return i > 0 ? trimmed.slice(0, i) : i === 0 ? trimmed.slice(0, 1) : '.';
}
