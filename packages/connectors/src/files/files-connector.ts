// `use: files` — a local folder: CSV files are read from it and written to it atomically.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { type Connector, type DescribeContext, type RunContext, type SinkWriteRequest, type StagedWrite, type SourceBatch, type SourceReadRequest } from '@sisflow/core';
import { CSV_READ_SETTINGS, CSV_WRITE_SETTINGS, checkCsvOutput, companionPath, csvReadOptions, csvSourceSchema } from '../csv/csv-settings.js';
import { patronProperties } from '../destiny/properties-file.js';
import { writeCsvRows } from '../csv/csv-writer.js';
import { readCsv } from '../csv/csv-reader.js';
import { AtomicFile, commitTogether, finishLocalMoves } from './atomic-file.js';
import { discardHeldFile, holdFiles, publishHeldFile } from './held-file.js';
import { relativePathProblem, resolveInside } from './paths.js';
import { readInWorker, workerSource } from '../source-worker/worker-source.js';

const PATH = { type: 'string', minLength: 1, description: 'file path relative to the connection\'s `dir`' };

export const filesConnector: Connector = {
  name: 'files',
  summary: 'a local folder: reads CSV files from it, writes CSV files to it atomically',
  // `sisflow doctor`: files to read are there, folders to write take a file (no data moved).
  checkAccess: async (req) => (await import('./files-access.js')).checkFilesAccess(req),
  connection: {
    type: 'object',
    required: ['dir'],
    additionalProperties: false,
    properties: { dir: { type: 'string', minLength: 1, description: 'folder, relative to the spec file' } },
  },
  source: {
    settings: {
      type: 'object',
      required: ['path'],
      additionalProperties: false,
      properties: {
        path: PATH,
        missing: { enum: ['error', 'empty'], default: 'error', description: 'a missing file fails the run, or reads as empty with a warning' },
        ...CSV_READ_SETTINGS,
      },
    },
    describe: (ctx) => {
      const schema = checkPath(ctx) ? csvSourceSchema(ctx) : undefined;
      return schema && { schema };
    },
    read: readFile,
  },
  sink: {
    settings: {
      type: 'object',
      required: ['path'],
      additionalProperties: false,
      properties: { path: PATH, format: { enum: ['csv'], default: 'csv' }, ...CSV_WRITE_SETTINGS },
    },
    describe: (ctx) => (checkPath(ctx) && checkCsvOutput(ctx) ? { target: `${String(ctx.connection.dir).replace(/\/$/, '')}/${String(ctx.settings.path)}` } : undefined),
    write: writeFile,
    finishMoves: (moves) => finishLocalMoves(moves),
    publishHeld: (held) => publishHeldFile(held),
    discardHeld: (held) => discardHeldFile(held),
  },
};

function checkPath(ctx: DescribeContext): boolean {
  const problem = relativePathProblem(String(ctx.settings.path));
  if (problem) ctx.report('SF405', problem, ['path'], 'write a path such as `patrons.csv` or `exports/patrons.csv`');
  return !problem;
}


async function* readFile(req: SourceReadRequest, ctx: RunContext): AsyncIterable<SourceBatch> {
  const path = resolveInside(ctx.baseDir, String(req.connection.dir), String(req.settings.path));
  const file = await stat(path).then((s) => (s.isFile() ? s : undefined), () => undefined);
  if (!file) {
    if (req.settings.missing === 'empty') {
      ctx.warn(`${req.settings.path} does not exist; read as empty`);
      return;
    }
    throw new Error(`${req.settings.path} does not exist in ${req.connection.dir}`);
  }
  const options = csvReadOptions(req.settings);
  const label = String(req.settings.path);
  if (readInWorker(file.size)) {
    // Decoding, parsing and typing cells on the second core (source-worker/).
    const keys = [...new Set([...options.columns.map((c) => c.name), ...(options.lineColumn ? [options.lineColumn] : [])])];
    yield* workerSource({ kind: 'csv', path, options, label, batchSize: req.batchSize, keys }, keys, ctx);
    return;
  }
  const stream = createReadStream(path, { highWaterMark: 256 * 1024 });
  try {
    yield* readCsv(stream, options, ctx, req.batchSize, label);
  } finally {
    stream.destroy();
  }
}

async function writeFile(req: SinkWriteRequest, ctx: RunContext): Promise<StagedWrite> {
  const path = resolveInside(ctx.baseDir, String(req.connection.dir), String(req.settings.path));
  const files = [await AtomicFile.create(path, ctx.journaled)];
  try {
    const rows = await writeCsvRows(req, ctx, (chunk) => files[0]!.write(chunk));
    const written = [await files[0]!.finish()];
    const properties = companionPath(req.settings);
    if (properties) {
      // Destiny's mapping of the same columns, published with the CSV: both or neither.
      const f = await AtomicFile.create(resolveInside(ctx.baseDir, String(req.connection.dir), properties), ctx.journaled);
      files.unshift(f);
      await f.write(Buffer.from(patronProperties(basename(path), req.schema), 'latin1'));
      written.push(await f.finish());
    }
    return {
      result: { rows, files: written },
      // One file: a failed rename leaves its stage for the journal's next run. With the Destiny
      // properties file, both or neither (commitTogether puts back what it renamed).
      commit: () => (files.length === 1 ? files[0]!.commit() : commitTogether(files)),
      abort: async () => void (await Promise.all(files.map((f) => f.abort()))),
      moves: files.map((f) => f.move),
      hold: () => holdFiles(files, [...written].reverse()),
    };
  } catch (e) {
    await Promise.all(files.map((f) => f.abort()));
    throw e;
  }
}
