// `use: oneroster-csv` as a source: one file of a OneRoster 1.1 CSV bundle (a folder or a zip),
// with the manifest honoured and the whole bundle checked before a row is read. Columns are typed
// from the standard (dates, date-times, booleans, years as int, lists as list<string>), so a spec
// declares none. Extension columns (metadata.…) are not read.
import { resolve } from 'node:path';
import { parse } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { cellParser, RowError, type Row, type RunContext, type SourceBatch, type SourceReadRequest } from '@sisflow/core';
import { checkBundle, type BundleProblem } from './check.js';
import { problemLines, problemSummary } from './problem-groups.js';
import { readBundle } from './read-bundle.js';
import { FILE_BY_NAME, isListColumn } from './standard.js';
import { bundleFileSchema } from './bundle-connector.js';


/** The bundle read and checked once per run, whichever of its files the sources read. */
let last: { key: string; files: Map<string, Uint8Array>; problems: BundleProblem[] } | undefined;

function checkedBundle(path: string, ctx: RunContext): { files: Map<string, Uint8Array>; problems: BundleProblem[] } {
  const key = `${path}\0${ctx.startedAt}`;
  if (last?.key !== key) {
    const files = readBundle(path);
    last = { key, files, problems: checkBundle(files) };
  }
  return last;
}

export async function* readBundleFile(req: SourceReadRequest, ctx: RunContext): AsyncIterable<SourceBatch> {
  const file = String(req.settings.file);
  const path = resolve(ctx.baseDir, String(req.connection.path));
  const { files, problems } = checkedBundle(path, ctx);
  const errors = problems.filter((p) => p.severity === 'error');
  if (errors.length > 0 && req.settings.check !== 'warn') {
    throw new Error(`${req.connection.path} does not conform to OneRoster 1.1, so no row was read (\`check: warn\` reads it anyway): ${problemSummary(problems)}`);
  }
  for (const line of problemLines(problems)) ctx.warn(`${req.connection.path}: ${line}`);
  const declared = declaredMode(files, file);
  const bytes = files.get(`${file}.csv`);
  if (declared === 'absent' || !bytes) {
    const why = !files.has('manifest.csv') ? 'the bundle has no manifest and no such file' : declared === 'absent' ? 'the manifest declares it absent' : `the manifest declares it ${declared}, but the bundle does not have it`;
    ctx.warn(`${file}.csv: ${why}; read as empty`);
    return;
  }
  ctx.log(`${file}.csv (${declared}) from ${req.connection.path}`);
  yield* readRows(bytes, file, req, ctx);
}

/**
 * How the manifest declares a file: bulk, delta or absent (a file it has no row for is absent).
 * The manifest is CSV like the others (its cells may be quoted). A bundle without one, read under
 * `check: warn`, has its files read as they are: `unknown`, absent only when the file is not there.
 */
function declaredMode(files: ReadonlyMap<string, Uint8Array>, file: string): string {
  const manifest = files.get('manifest.csv');
  if (!manifest) return files.has(`${file}.csv`) ? 'mode unknown: no manifest' : 'absent';
  let declared = 'absent';
  try {
    const rows = parseSync(Buffer.from(manifest), { bom: true, relax_column_count: true, skip_empty_lines: true }) as string[][];
    for (const [name, value] of rows) if (name?.trim() === `file.${file}` && value) declared = value.trim();
  } catch {
    // A manifest that is not CSV is the checker's OR118; nothing is declared.
  }
  return declared;
}

async function* readRows(bytes: Uint8Array, file: string, req: SourceReadRequest, ctx: RunContext): AsyncIterable<SourceBatch> {
  const spec = FILE_BY_NAME.get(file)!;
  const schema = bundleFileSchema(file);
  const parsers = spec.columns.map((c, i) => {
    if (isListColumn(c)) return (t: string) => (t.trim() === '' ? [] : t.split(',').map((x) => x.trim()));
    return cellParser(schema[i]!.type);
  });
  const parser = parse(Buffer.from(bytes), { bom: true, relax_column_count: true, skip_empty_lines: true, info: true });
  let index: number[] | undefined;
  let rows: Row[] = [];
  let lines: number[] = [];
  let read = 0;
  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    if (!index) {
      index = spec.columns.map((c) => record.indexOf(c.name));
      continue;
    }
    if (req.limit !== undefined && read >= req.limit) break;
    read++;
    const row: Row = {};
    let bad: string | undefined;
    for (let i = 0; i < spec.columns.length; i++) {
      const c = spec.columns[i]!;
      const text = index[i]! < 0 ? '' : record[index[i]!] ?? '';
      try {
        row[c.name] = parsers[i]!(text);
      } catch (e) {
        if (!(e instanceof RowError)) throw e;
        bad = `${file}.csv: ${c.name} ${e.message}`;
        break;
      }
    }
    if (bad) {
      ctx.reject({ line: info.lines, reason: bad, data: record.join(',') });
      continue;
    }
    rows.push(row);
    lines.push(info.lines);
    if (rows.length >= req.batchSize) {
      yield { rows, lines };
      rows = [];
      lines = [];
    }
  }
  if (rows.length > 0) yield { rows, lines };
}
