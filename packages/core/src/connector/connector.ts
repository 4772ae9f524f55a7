// The connector API: what a source or sink connector declares (pure, for checking and planning)
// and what it does at run time (I/O). Third parties implement this and register by `use:` name.
import type { DiagnosticCode } from '../diagnostics/codes.js';
import type { Dialect } from '../expr/functions.js';
import type { SqlFragment } from '../expr/compile-sql.js';
import type { RowSchema } from '../expr/row-schema.js';
import type { Path } from '../spec/locate.js';
import type { JsonSchema } from '../spec/schema.js';
import type { RunReport } from '../runtime/report.js';

export type Row = Record<string, unknown>;
export type Settings = Record<string, unknown>;

/** What a spec needs from the system it touches, listed by `sisflow plan` and `sisflow grants`. */
export interface Needs {
  tables?: { name: string; access: 'read' | 'write'; columns?: string[] }[];
  permissions?: string[];
}

export interface DescribeContext {
  /** The source's or output's own settings (language keys like `from` removed). */
  settings: Settings;
  /** The connection's settings, `${…}` references unresolved. */
  connection: Settings;
  report(code: DiagnosticCode, message: string, path: Path, hint?: string): void;
}

export interface SourceDescription {
  schema: RowSchema;
  /** Columns a pushed-down `where` may test besides the ones read (e.g. `DEL` of a table). */
  filterSchema?: RowSchema;
  /** The SQL dialect a `where` may be pushed down in; absent when the source cannot filter. */
  pushdown?: Dialect;
  /** How a column is written in that dialect (quoted identifier). */
  columnSql?(name: string): string;
  needs?: Needs;
}

export interface SinkDescription {
  needs?: Needs;
  /** What the sink writes, for the plan outline: a path, a table. */
  target: string;
  /**
   * The sink applies rows to a table by key (an import). Its inputs must not be empty (unless a
   * source says `allow_empty`), every value is checked against `columns` before it reaches the
   * sink, and rows come in slices held whole when one of their rows was refused.
   */
  table?: {
    /** Columns whose values name a slice (`delete_missing: { within }`); [] for the whole output. */
    slice?: string[];
    /** What the destination's columns accept. */
    columns: ColumnLimit[];
  };
}

/** What a destination column accepts: a value outside it is refused with the column named. */
export interface ColumnLimit {
  name: string;
  kind: 'string' | 'int' | 'decimal' | 'bool' | 'date' | 'datetime';
  nullable: boolean;
  /** Characters, for text columns. */
  maxLength?: number;
  /** Range, for integer columns. */
  min?: number;
  max?: number;
  /** The column is part of the key: never null. */
  key?: boolean;
  /** As the destination declares it, for messages (`varchar(3)`). */
  declared: string;
}

/**
 * Slices of an import held whole because one of their rows was refused: the sink leaves every row
 * of these slices as it was (nothing inserted, updated, renumbered or deleted), or, with `all`,
 * applies nothing.
 */
export interface HeldSlices {
  all: boolean;
  /** The slice columns' values of each held slice. */
  slices: Row[];
}

export interface RunContext {
  signal: AbortSignal;
  /** Log lines for the run report; secret values are redacted before they are shown. */
  log(message: string): void;
  /** A problem worth a reader's attention that does not stop the run (extra columns, empty input). */
  warn(message: string): void;
  /**
   * A source row that cannot be read (bad CSV, wrong type): it goes to the rejects output. `fields`
   * are the cells of it that could still be read: they say which slice of an import the row
   * belonged to, so only that slice is held; without them the whole import is held.
   */
  reject(reject: {
    line: number;
    reason: string;
    data?: Row | string;
    fields?: Row;
    /** For an output's reject: `invalid` for a row it cannot write (a character its encoding lacks); default `refused` (the destination said no). */
    kind?: 'invalid' | 'refused';
  }): void;
  /**
   * A declared column the source's input does not have, which the spec lets it read as empty
   * (`absent: keep`): table outputs computed from it leave the destination's value as it is.
   */
  absent?(column: string): void;
  /** Directory relative paths resolve against (the spec's folder). */
  baseDir: string;
  /** When the run started (UTC, ISO 8601 with milliseconds): one timestamp for everything a run stamps. */
  startedAt: string;
  /** Counts retries and similar events for the run report. */
  count(event: string, n?: number): void;
  /**
   * Work to do once every output of the run is published (archive or delete the input files that
   * were read). Not called for a failed, cancelled or dry run. Actions with the same key run once.
   */
  afterSuccess(key: string, action: () => Promise<void>): void;
}

export interface SourceReadRequest {
  connection: Settings;
  settings: Settings;
  schema: RowSchema;
  /** The pushed-down part of `where`, already compiled for this source's dialect. */
  filter?: SqlFragment;
  batchSize: number;
  /** Stop after this many rows (`--limit`). */
  limit?: number;
}

export interface WrittenFile {
  path: string;
  bytes: number;
  sha256: string;
}

export interface SinkWriteRequest {
  connection: Settings;
  settings: Settings;
  schema: RowSchema;
  rows: AsyncIterable<Row[]>;
  /** The write will be aborted, not committed: a sink may skip work that only publishing needs. */
  dryRun: boolean;
  /**
   * For a table import with slices: the slices to leave as they are. Final once `rows` has ended
   * (call it then, not before).
   */
  held?(): HeldSlices;
  /**
   * The output's columns computed from a source column its input did not have (`absent: keep`):
   * a table sink leaves them as they are in the destination. Complete once `rows` has ended.
   */
  untouched(): string[];
  /**
   * People read this output (the rejects file, an attachment of a notification): a CSV sink makes
   * its cells spreadsheet-safe unless the output's settings say `spreadsheet_safe: false`.
   */
  forPeople: boolean;
}

export interface SinkResult {
  rows: number;
  files: WrittenFile[];
  /** Per-table counts for database sinks. */
  changes?: Record<string, { inserted: number; updated: number; deleted: number }>;
}

/** Rows read from a source, with each row's line or record number for rejects. */
export interface SourceBatch {
  rows: Row[];
  /** 1-based line (files) or record number (databases) of each row; the runtime numbers rows when absent. */
  lines?: number[];
}

/**
 * An output written but not yet visible: a temporary file, an uploaded temporary name, an open
 * transaction. The runtime commits every output of a run only once all of them are staged, and
 * aborts them all when anything fails, so a run publishes all of its outputs or none.
 */
export interface StagedWrite {
  result: SinkResult;
  /**
   * Makes the output visible (rename over the final name, COMMIT). Outputs that publish together
   * (the files of one bundle, one SQLite transaction) return 'deferred' from all but the last.
   */
  commit(): Promise<void | 'deferred'>;
  /** Drops what was staged; the destination keeps what it held. Must not throw. */
  abort(): Promise<void>;
}

export interface SourceRole {
  settings: JsonSchema;
  describe(ctx: DescribeContext): SourceDescription | undefined;
  read(req: SourceReadRequest, ctx: RunContext): AsyncIterable<SourceBatch>;
  /**
   * Reading again costs a transfer or may see other data (a file on a remote server): when a run
   * needs a source's rows twice (for a lookup and for the main pass), it keeps them from the
   * first read instead of reading again. Sources that are cheap to read again (a database table)
   * leave this unset and are streamed twice, holding nothing.
   */
  readOnce?: boolean;
}

export interface SinkRole {
  settings: JsonSchema;
  describe(ctx: DescribeContext & { schema: RowSchema }): SinkDescription | undefined;
  /** Writes every row to a staging place; a failure must leave nothing staged behind. */
  write(req: SinkWriteRequest, ctx: RunContext): Promise<StagedWrite>;
}

/** A file to attach to a notification (an output's file, the rejects file). */
export interface Attachment {
  name: string;
  path: string;
}

export interface NotifyRequest {
  connection: Settings;
  settings: Settings;
  /** The finished run's report (secrets already redacted). */
  report: RunReport;
  attachments: Attachment[];
}

export interface NotifierRole {
  settings: JsonSchema;
  /** Pure, like the other roles: checks the settings, says where messages go. */
  describe(ctx: DescribeContext): { target: string } | undefined;
  send(req: NotifyRequest, ctx: { signal: AbortSignal; log(message: string): void }): Promise<void>;
}

/** One request made with a connection's credentials, to learn whether it may read or write an area. */
export interface AccessProbe {
  /** The permission as the system names it: an Aeries API security area, an OAuth scope. */
  area: string;
  /** A step of the spec needs it; otherwise it was probed only to warn that the key can do more. */
  needed: boolean;
  /** The sources and outputs that need it. */
  usedBy: string[];
  /** `unknown`: the system cannot be asked without doing the thing (a write), and did not say. */
  status: 'granted' | 'refused' | 'not found' | 'failed' | 'unknown';
  /** What was asked, without credentials: `GET /aeries/api/v5/schools/994/students`. */
  request: string;
  /** The server's answer when the area is not granted (status, message). */
  detail?: string;
  /** For an area the spec does not need: what it holds, for the warning. */
  holds?: string;
}

export interface AccessCheckRequest {
  /** The connection's settings, references resolved. */
  connection: Settings;
  /** What the plan reads and writes through this connection (settings resolved). */
  uses: { step: string; role: 'source' | 'output'; settings: Settings }[];
  signal: AbortSignal;
  /** The folder relative paths resolve against (the spec's). */
  baseDir?: string;
}

export interface Connector {
  /** The `use:` name. */
  name: string;
  summary: string;
  /** JSON Schema of a connection's settings (without `use`). */
  connection: JsonSchema;
  /** Connection settings that carry credentials: they must be `${secret:…}` or `${env:…}` references (`sftp.password` for a nested one). */
  secretSettings?: string[];
  /** Checks a connection beyond its JSON Schema (settings that go together); called when the schema holds. */
  checkConnection?(ctx: { connection: Settings; report: DescribeContext['report'] }): void;
  source?: SourceRole;
  sink?: SinkRole;
  notifier?: NotifierRole;
  /**
   * Asks the system, with the connection's credentials, for each permission the spec needs (one
   * cheap request each), and for a fixed list of sensitive ones it does not need. `sisflow access
   * check` prints the answers; it never sees the credentials.
   */
  checkAccess?(req: AccessCheckRequest): Promise<AccessProbe[]>;
}
