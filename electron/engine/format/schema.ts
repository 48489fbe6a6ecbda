// The .octz schema: one archive is one SQLite database (docs/FORMAT.md explains every column).
// Only format/ speaks SQL; everything else sees the records in ./records.ts.

/** PRAGMA application_id: 'Octz' in ASCII, so `file` and the sqlite3 shell can tell an archive apart. */
export const APPLICATION_ID = 0x4f63747a;

/**
 * PRAGMA user_version and header.format_version. A reader refuses anything newer than this.
 * 1: one content row and chunk rows per file. 2: solid blocks and a compressed catalog (docs/FORMAT.md).
 * 3: the catalog in layout 2 (format/catalog.ts): names apart from their shared counts, no repeated sizes.
 */
export const FORMAT_VERSION = 3;
/** The first version with solid blocks and a catalog: 2 and 3 differ only in the catalog's layout. */
export const FIRST_SOLID_VERSION = 2;

/** The catalog layout (of both lists) an archive of this format version holds (format 2: 1; from 3: 2). */
export function catalogLayout(formatVersion: number): 1 | 2 {
  return formatVersion >= 3 ? 2 : 1;
}
/** The oldest version this build still reads. */
export const OLDEST_READABLE_VERSION = 1;

/**
 * 512-byte pages, with the block table WITHOUT ROWID: an archive's fixed cost is whole pages (the schema, the
 * header, the block table's root, the unused end of each block's last overflow page), so small pages keep small
 * archives small, and a WITHOUT ROWID table keeps at most ~100 bytes of each payload in its leaf (a rowid table
 * keeps up to the whole page, so three rows split a leaf in two). Measured (docs/FORMAT.md, "Size overhead"): a
 * one-file archive of an 8 KB text is 4,608 bytes (1 KiB pages, rowid: 6,144); the price is 4 bytes per 512-byte
 * overflow page (0.8% of payloads instead of 0.4%). A create that VACUUMs its archive picks the page size
 * again then, from the payloads it wrote (pageSizeFor).
 */
export const PAGE_SIZE = 512;

/** Pages every archive has besides its payloads' overflow pages: the schema, the header, the block table's root. */
const FIXED_PAGES = 3;

/**
 * The page size (512 to 4096) that stores payloads of these lengths in the fewest bytes: each payload takes
 * whole overflow pages of (size - 4) bytes, so small pages waste less at each payload's end and larger ones
 * spend less on links. Measured on the curl tree's archive (five payloads, 1.7 MB): 512-byte pages 1,734,144
 * bytes, 1024 1,730,560, 4096 1,732,608 (docs/FORMAT.md, "Size overhead").
 */
export function pageSizeFor(payloadLengths: readonly number[]): number {
  let best = PAGE_SIZE;
  let bestBytes = Infinity;
  for (const size of [512, 1024, 2048, 4096]) {
    const bytes = payloadLengths.reduce((sum, n) => sum + Math.ceil(n / (size - 4)) * size, FIXED_PAGES * size);
    if (bytes < bestBytes) {
      best = size;
      bestBytes = bytes;
    }
  }
  return best;
}

/** No block may claim more raw bytes than this, so a hostile archive cannot make a reader allocate more. */
export const MAX_BLOCK_BYTES = 64 * 1024 * 1024;

export const SCHEMA_SQL = `
CREATE TABLE header (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL            -- JSON
) WITHOUT ROWID;

CREATE TABLE block (
  id            INTEGER PRIMARY KEY, -- coding order; slices name blocks by id
  role          TEXT NOT NULL,       -- 'data' (file bytes) | 'entries' | 'contents' (the catalog)
  codec         TEXT NOT NULL,       -- 'store' | 'brotli' | 'cm' | 'neural'
  raw_size      INTEGER NOT NULL,    -- decoded bytes, 1 .. 64 MiB
  raw_sha256    BLOB NOT NULL,       -- SHA-256 of the decoded bytes (keyed when the block is sealed)
  payload_crc32 INTEGER NOT NULL,    -- CRC-32 of the stored payload blob
  payload       BLOB NOT NULL        -- last column: reading the others never touches its overflow pages
) WITHOUT ROWID;
`;

/**
 * SCHEMA_SQL as executed: without its comments and runs of whitespace. SQLite stores each CREATE statement's
 * text verbatim in the file, and the commented text filled 4 pages (~4 KB) of every archive; this fills 1.
 * Same tables, same columns: only the stored text differs, and no reader looks at it.
 */
export const COMPACT_SCHEMA_SQL = SCHEMA_SQL.replace(/--[^\n]*/g, '').replace(/\s+/g, ' ').trim();
