// The .octz schema: one archive is one SQLite database (docs/FORMAT.md explains every column).
// Only format/ speaks SQL; everything else sees the records in ./records.ts.

/** PRAGMA application_id: 'Octz' in ASCII, so `file` and the sqlite3 shell can tell an archive apart. */
export const APPLICATION_ID = 0x4f63747a;

/** PRAGMA user_version and header.format_version. A reader refuses anything newer than this. */
export const FORMAT_VERSION = 1;

/**
 * 1 KiB pages: an archive's fixed cost is one page per table and index (7 here), so small pages keep small
 * archives small; payload overflow pages lose 4 bytes per page (0.4%) at this size. Measured on the
 * Canterbury corpus: 4096-byte pages make the archive 23.5 KiB larger, 512-byte pages 0.5 KiB smaller
 * (docs/FORMAT.md, "Size overhead").
 */
export const PAGE_SIZE = 1024;

/** No chunk may claim more raw bytes than this, so a hostile archive cannot make a reader allocate more. */
export const MAX_CHUNK_BYTES = 64 * 1024 * 1024;

export const SCHEMA_SQL = `
CREATE TABLE header (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL            -- JSON
) WITHOUT ROWID;

CREATE TABLE content (
  id          INTEGER PRIMARY KEY,
  sha256      TEXT NOT NULL,     -- hex SHA-256 of the raw bytes
  size        INTEGER NOT NULL,  -- raw bytes
  chunk_count INTEGER NOT NULL,
  packed_size INTEGER NOT NULL   -- sum of length(payload) of its chunks
);

CREATE TABLE entry (
  id          INTEGER PRIMARY KEY,
  path        TEXT NOT NULL UNIQUE,  -- '/'-separated, relative
  type        TEXT NOT NULL CHECK (type IN ('file', 'directory', 'symlink')),
  mode        INTEGER NOT NULL,      -- POSIX permission bits
  mtime_ms    INTEGER NOT NULL,      -- milliseconds since the epoch
  size        INTEGER NOT NULL,      -- raw bytes (files), 0 otherwise
  content_id  INTEGER REFERENCES content(id),  -- files only
  link_target TEXT,                  -- symlinks only
  meta_crc32  INTEGER NOT NULL,      -- CRC-32 of the columns above, see entryMetaChecksum
  sealed      BLOB                   -- encrypted archives: the entry's metadata, AES-256-GCM (docs/FORMAT.md)
);

CREATE TABLE chunk (
  id            INTEGER PRIMARY KEY,
  content_id    INTEGER NOT NULL REFERENCES content(id),
  seq           INTEGER NOT NULL,  -- 0, 1, 2 ... within the content
  raw_offset    INTEGER NOT NULL,
  raw_size      INTEGER NOT NULL,
  codec         TEXT NOT NULL,     -- 'store' | 'brotli' | 'cm' | 'neural'
  raw_crc32     INTEGER NOT NULL,  -- CRC-32 of the decoded bytes
  payload_crc32 INTEGER NOT NULL,  -- CRC-32 of the stored payload blob
  payload       BLOB NOT NULL,     -- last column: reading the others never touches its overflow pages
  UNIQUE (content_id, seq)
);
`;

/**
 * SCHEMA_SQL as executed: without its comments and runs of whitespace. SQLite stores each CREATE statement's
 * text verbatim in the file, and the commented text filled 4 pages (~4 KB) of every archive; this fills 2.
 * Same tables, same columns: only the stored text differs, and no reader looks at it.
 */
export const COMPACT_SCHEMA_SQL = SCHEMA_SQL.replace(/--[^\n]*/g, '').replace(/\s+/g, ' ').trim();
