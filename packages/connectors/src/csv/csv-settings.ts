// The CSV settings shared by every connector that reads or writes CSV (files, sftp).
import { posix } from 'node:path';
import { didYouMean, parseTypeName, typeToString, type DescribeContext, type JsonSchema, type RowSchema, type Settings, type Type } from '@sisflow/core';
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
  spreadsheet_safe: { type: 'boolean', description: "prefix cells starting with = + - @ (and tab/CR) with ' so spreadsheets do not run them as formulas; default: true for a file people read (attached to a notification, the rejects file), false otherwise" },
};

const COLUMN_TYPE = { type: 'string', pattern: '^(string|int|decimal|bool|date|datetime)\\??$' };

/** A declared CSV column: its type alone (`date?`), or its type with the header names it may have and what its absence means. */
const CSV_COLUMN: JsonSchema = {
  oneOf: [
    COLUMN_TYPE,
    {
      type: 'object',
      required: ['type'],
      additionalProperties: false,
      properties: {
        type: { ...COLUMN_TYPE, description: 'the type of its cells (`date?`: a cell may be empty)' },
        headers: {
          type: 'array',
          items: { type: 'string', minLength: 1 },
          minItems: 1,
          uniqueItems: true,
          description: 'the header names the column may have in the file, preferred first (default: the column\'s own name); a file must have exactly one of them',
        },
        absent: {
          enum: ['error', 'keep'],
          default: 'error',
          description: 'a file without this column fails the run (error), or is read with the column empty and every table output computed from it leaves the destination\'s value as it is (keep; the type must be nullable)',
        },
      },
    },
  ],
};

const CSV_COLUMNS: JsonSchema = {
  type: 'object',
  minProperties: 1,
  additionalProperties: CSV_COLUMN,
  description: 'the columns to read, matched by header name, each with its type (`date`, `int?` for a cell that may be empty) or `{ type, headers, absent }`',
};

export const CSV_READ_SETTINGS: Record<string, JsonSchema> = {
  columns: CSV_COLUMNS,
  layouts: {
    type: 'object',
    minProperties: 1,
    additionalProperties: CSV_COLUMNS,
    description: 'several named column sets (file layouts) with the same columns and types, of which `layout:` picks one; instead of `columns`',
  },
  layout: { type: 'string', minLength: 1, description: 'the entry of `layouts` that describes the file, e.g. `${param:student_file}`' },
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

/** `forPeople`: the file is attached to a notification or is the rejects file, so spreadsheet-safe unless the spec says not. */
export function csvWriteOptions(s: Record<string, unknown>, forPeople = false): CsvWriteOptions {
  return {
    header: (s.header as boolean | undefined) ?? true,
    delimiter: (s.delimiter as string | undefined) ?? ',',
    lineEnding: (s.line_ending as 'crlf' | 'lf' | undefined) ?? 'crlf',
    bom: (s.bom as boolean | undefined) ?? false,
    quote: (s.quote as 'needed' | 'all' | 'text' | undefined) ?? 'needed',
    spreadsheetSafe: (s.spreadsheet_safe as boolean | undefined) ?? forPeople,
    encoding: (s.encoding as OutputEncoding | undefined) ?? 'utf-8',
  };
}

/** A column a CSV source reads: its name in the rows, its type, the header names it may have, and what its absence means. */
export interface CsvColumn {
  name: string;
  type: Type;
  headers: string[];
  absent: 'error' | 'keep';
}

type ColumnDeclaration = string | { type: string; headers?: string[]; absent?: 'error' | 'keep' };

export interface CsvReadOptions {
  columns: CsvColumn[];
  delimiter: string;
  encoding: string;
  dateFormat?: string;
  trim: boolean;
  /** Adds each row's line number under this name. */
  lineColumn?: string;
}

export function csvReadOptions(s: Record<string, unknown>): CsvReadOptions {
  return {
    columns: csvColumns(s),
    delimiter: (s.delimiter as string | undefined) ?? ',',
    encoding: (s.encoding as string | undefined) ?? 'utf-8',
    ...(typeof s.date_format === 'string' ? { dateFormat: s.date_format } : {}),
    trim: (s.trim as boolean | undefined) ?? true,
    ...(typeof s.line_column === 'string' ? { lineColumn: s.line_column } : {}),
  };
}

/** The declared columns of a CSV source: `columns`, or the entry of `layouts` that `layout` picks. */
export function csvColumns(s: Record<string, unknown>): CsvColumn[] {
  const declared = (s.layouts ? (s.layouts as Record<string, unknown>)[String(s.layout)] : s.columns) as Record<string, ColumnDeclaration> | undefined;
  return Object.entries(declared ?? {}).map(([name, d]) => {
    const o = typeof d === 'string' ? { type: d } : d;
    return { name, type: parseTypeName(o.type)!, headers: o.headers ?? [name], absent: o.absent ?? 'error' };
  });
}

/** Columns declared in a spec as `{ NAME: type }` (explicit queries, API records). */
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
export function csvSourceSchema(ctx: DescribeContext): RowSchema | undefined {
  if (!checkColumns(ctx)) return undefined;
  const schema: RowSchema = csvColumns(ctx.settings).map((c) => ({ name: c.name, type: c.type }));
  const line = ctx.settings.line_column;
  if (typeof line !== 'string') return schema;
  if (schema.some((c) => c.name === line)) ctx.report('SF408', `\`line_column: ${line}\` names a declared column`, ['line_column'], 'pick a name the file does not have, e.g. Line');
  // Nullable: rows given by a spec test have no line.
  return [...schema.filter((c) => c.name !== line), { name: line, type: { kind: 'int', nullable: true } }];
}

/** `columns` xor `layouts` + `layout`; layouts alike; `absent: keep` only where a cell may be empty; no header name claimed twice. */
function checkColumns(ctx: DescribeContext): boolean {
  const s = ctx.settings;
  if (s.columns !== undefined && s.layouts !== undefined) {
    ctx.report('SF408', '`columns` and `layouts` are both set', ['layouts'], 'declare the columns once, or one column set per layout under `layouts`');
    return false;
  }
  if (s.columns === undefined && s.layouts === undefined) {
    ctx.report('SF402', 'a CSV source needs `columns` (or `layouts` with `layout`)', [], 'declare the columns to read, e.g. `columns: { SSID: string, Birth Date: date }`');
    return false;
  }
  if (s.layouts !== undefined || s.layout !== undefined) {
    if (s.layout === undefined) {
      ctx.report('SF402', '`layouts` needs `layout` to pick one of them', ['layouts'], 'add e.g. `layout: ${param:student_file}`');
      return false;
    }
    if (s.layouts === undefined) {
      ctx.report('SF402', '`layout` needs `layouts` to pick from', ['layout'], 'declare the column sets under `layouts`, or remove `layout`');
      return false;
    }
    const layouts = s.layouts as Record<string, Record<string, ColumnDeclaration>>;
    const names = Object.keys(layouts);
    if (!names.includes(String(s.layout))) {
      ctx.report('SF426', `\`layout: ${String(s.layout)}\` is not one of the layouts (${names.join(', ')})`, ['layout'], didYouMean(String(s.layout), names) ?? `add a layout named ${String(s.layout)} under \`layouts\``);
      return false;
    }
    // Every layout must give the steps the same row: only the header names may differ.
    const shape = (n: string) => csvColumns({ layouts, layout: n }).map((c) => `${c.name}: ${typeToString(c.type)}`);
    const first = shape(names[0]!);
    for (const n of names.slice(1)) {
      const other = shape(n);
      const differs = [...first.filter((c) => !other.includes(c)).map((c) => `${c} in ${names[0]!}`), ...other.filter((c) => !first.includes(c)).map((c) => `${c} in ${n}`)];
      if (differs.length > 0) {
        ctx.report('SF427', `layout ${n} does not declare the same columns as ${names[0]!} (${differs.join('; ')})`, ['layouts', n], 'give every layout the same column names and types; only `headers` may differ');
        return false;
      }
    }
  }
  let ok = true;
  const at = (c: string) => (s.layouts ? ['layouts', String(s.layout), c] : ['columns', c]);
  const claimed = new Map<string, string>();
  for (const c of csvColumns(s)) {
    if (c.absent === 'keep' && !c.type.nullable) {
      ok = false;
      ctx.report('SF425', `\`${c.name}\` is \`absent: keep\` but its type ${typeToString(c.type)} says every row has a value`, at(c.name), `make it nullable (\`${typeToString(c.type)}?\`): a file without the column reads it as empty`);
    }
    for (const h of c.headers) {
      const other = claimed.get(h.trim());
      if (other !== undefined) {
        ok = false;
        ctx.report('SF428', `the header name "${h}" is claimed by both \`${other}\` and \`${c.name}\``, at(c.name), 'a header name may belong to one column only');
      } else claimed.set(h.trim(), c.name);
    }
  }
  return ok;
}
