// The CSV settings shared by every connector that reads or writes CSV (files, sftp).
import { posix } from 'node:path';
import { parseTypeName, type DescribeContext, type JsonSchema, type RowSchema, type Settings } from '@sisflow/core';
import { checkPatronColumns } from '../destiny/properties-file.js';

export const CSV_WRITE_SETTINGS: Record<string, JsonSchema> = {
  header: { type: 'boolean', default: true, description: 'write a header row of column names' },
  delimiter: { enum: [',', ';', '\t', '|'], default: ',', description: 'field delimiter' },
  line_ending: { enum: ['crlf', 'lf'], default: 'crlf', description: 'CR/LF (RFC 4180, Destiny) or LF' },
  bom: { type: 'boolean', default: false, description: 'start the file with a UTF-8 byte order mark (some spreadsheet programs need it)' },
  encoding: {
    enum: ['utf-8', 'windows-1252', 'macintosh'],
    default: 'utf-8',
    description: 'text encoding of the file: UTF-8, Windows-1252 or Mac OS Roman (the two Destiny\'s Mac client reads); a row with a character the encoding lacks is rejected, never written as ?',
  },
  destiny_properties: {
    type: 'string',
    minLength: 1,
    pattern: '^[^/\\\\]+$',
    description: "write Destiny's Patron Import Converter properties file (field_… = column) under this name beside the CSV, from the same columns, published together with it",
  },
  quote: { enum: ['needed', 'all', 'text'], default: 'needed', description: 'quote fields only when needed, always, or every text column' },
  spreadsheet_safe: { type: 'boolean', default: false, description: "prefix cells starting with = + - @ (and tab/CR) with ' so spreadsheets do not run them as formulas" },
};

export const CSV_READ_SETTINGS: Record<string, JsonSchema> = {
  columns: {
    type: 'object',
    minProperties: 1,
    additionalProperties: { type: 'string', pattern: '^(string|int|decimal|bool|date|datetime)\\??$' },
    description: 'the columns to read, matched by header name, each with its type (`date`, `int?` for optional)',
  },
  delimiter: { enum: [',', ';', '\t', '|'], default: ',', description: 'field delimiter' },
  encoding: { enum: ['utf-8', 'utf-16le', 'windows-1252', 'latin1'], default: 'utf-8', description: 'text encoding (a UTF-8 or UTF-16 byte order mark is always recognised)' },
  date_format: { type: 'string', minLength: 2, description: 'pattern for dates that are not YYYY-MM-DD, e.g. MM/dd/yyyy' },
  trim: { type: 'boolean', default: true, description: 'remove spaces around values' },
  line_column: { type: 'string', minLength: 1, description: "add an int column of this name holding each row's line number in the file (for logs that cite lines)" },
};

export interface CsvWriteOptions {
  header: boolean;
  delimiter: string;
  lineEnding: 'crlf' | 'lf';
  bom: boolean;
  quote: 'needed' | 'all' | 'text';
  spreadsheetSafe: boolean;
  encoding: OutputEncoding;
}

export type OutputEncoding = 'utf-8' | 'windows-1252' | 'macintosh';

export function csvWriteOptions(s: Record<string, unknown>): CsvWriteOptions {
  return {
    header: (s.header as boolean | undefined) ?? true,
    delimiter: (s.delimiter as string | undefined) ?? ',',
    lineEnding: (s.line_ending as 'crlf' | 'lf' | undefined) ?? 'crlf',
    bom: (s.bom as boolean | undefined) ?? false,
    quote: (s.quote as 'needed' | 'all' | 'text' | undefined) ?? 'needed',
    spreadsheetSafe: (s.spreadsheet_safe as boolean | undefined) ?? false,
    encoding: (s.encoding as OutputEncoding | undefined) ?? 'utf-8',
  };
}

export interface CsvReadOptions {
  columns: Record<string, string>;
  delimiter: string;
  encoding: string;
  dateFormat?: string;
  trim: boolean;
  /** Adds each row's line number under this name. */
  lineColumn?: string;
}

export function csvReadOptions(s: Record<string, unknown>): CsvReadOptions {
  return {
    columns: s.columns as Record<string, string>,
    delimiter: (s.delimiter as string | undefined) ?? ',',
    encoding: (s.encoding as string | undefined) ?? 'utf-8',
    ...(typeof s.date_format === 'string' ? { dateFormat: s.date_format } : {}),
    trim: (s.trim as boolean | undefined) ?? true,
    ...(typeof s.line_column === 'string' ? { lineColumn: s.line_column } : {}),
  };
}

/** Columns declared in a spec as `{ NAME: type }` (CSV files, explicit queries, API records). */
export function declaredSchema(columns: Record<string, string>): RowSchema {
  return Object.entries(columns).map(([name, t]) => ({ name, type: parseTypeName(t)! }));
}

/**
 * Checks a CSV output's settings that only make sense together, and that the columns of a Destiny
 * patron file map to Destiny's fields; returns false when the output cannot be written.
 */
export function checkCsvOutput(ctx: DescribeContext & { schema: RowSchema }): boolean {
  if (ctx.settings.bom === true && (ctx.settings.encoding ?? 'utf-8') !== 'utf-8') {
    ctx.report('SF408', `\`bom: true\` writes a UTF-8 byte order mark, but the file is ${String(ctx.settings.encoding)}`, ['bom'], 'remove `bom`, or write UTF-8');
    return false;
  }
  const properties = companionPath(ctx.settings);
  if (properties === undefined) return true;
  if (properties === posix.normalize(String(ctx.settings.path).replaceAll('\\', '/'))) {
    ctx.report('SF408', `\`destiny_properties: ${String(ctx.settings.destiny_properties)}\` is the CSV's own name`, ['destiny_properties'], 'write e.g. `destiny_properties: patrons.properties`');
    return false;
  }
  return checkPatronColumns(ctx, ctx.schema, ['destiny_properties']);
}

/** Where a CSV output's Destiny properties file goes (beside the CSV), or undefined when it has none. */
export function companionPath(settings: Settings): string | undefined {
  const name = settings.destiny_properties;
  if (typeof name !== 'string') return undefined;
  return posix.join(posix.dirname(String(settings.path).replaceAll('\\', '/')), name);
}

/** The row schema of a CSV source: its declared columns, and the line column when asked for. */
export function csvSourceSchema(ctx: DescribeContext): RowSchema {
  const schema = declaredSchema(ctx.settings.columns as Record<string, string>);
  const line = ctx.settings.line_column;
  if (typeof line !== 'string') return schema;
  if (schema.some((c) => c.name === line)) ctx.report('SF408', `\`line_column: ${line}\` names a declared column`, ['line_column'], 'pick a name the file does not have, e.g. Line');
  // Nullable: rows given by a spec test have no line.
  return [...schema.filter((c) => c.name !== line), { name: line, type: { kind: 'int', nullable: true } }];
}
