// Reading from SQL Server as a stream: rows arrive in batches, and the request is paused while the
// steps behind it are busy, so a table is never held in memory. Cancelling the run cancels the
// query on the server.
import type { Row, RunContext, SourceBatch, SourceReadRequest } from '@sisflow/core';
import { AERIES_CATALOG } from '../aeries/catalog.js';
import { tableSelect } from '../aeries/table-source.js';
import { parameterType, rowConverter, toDriver } from './mssql-types.js';
import { connect, explain, loadMssql } from './pool.js';

/** Batches read ahead of the steps before the request is paused. */
const READ_AHEAD = 2;

export function tableQuery(req: SourceReadRequest): string {
  const table = String(req.settings.table).toUpperCase();
  const sql = tableSelect(table, req.schema.map((c) => c.name), 'tsql', req.filter?.sql, AERIES_CATALOG.get(table)?.key ?? []);
  return req.limit === undefined ? sql : sql.replace(/^SELECT /, `SELECT TOP (${Math.max(0, Math.floor(req.limit))}) `);
}

export async function* readMssql(req: SourceReadRequest, ctx: RunContext): AsyncIterable<SourceBatch> {
  const mssql = await loadMssql();
  const pool = await connect(mssql, req.connection, true, ctx);
  const request = pool.request();
  request.stream = true;
  let text: string;
  if (typeof req.settings.query === 'string') {
    text = req.settings.query;
    for (const [k, v] of Object.entries((req.settings.parameters as Record<string, unknown> | undefined) ?? {})) request.input(k, v);
  } else {
    text = tableQuery(req);
    (req.filter?.parameters ?? []).forEach((v, i) => {
      const kind = req.filter?.types?.[i];
      request.input(`p${i + 1}`, parameterType(mssql, kind, v), toDriver(kind, v));
    });
  }
  const convert = rowConverter(req.schema);
  const ready: Row[][] = [];
  let batch: Row[] = [];
  let finished = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  let cancelling = false;
  request.on('row', (row: Row) => {
    if (cancelling) return; // rows still in flight after a cancel are dropped, never paused on
    batch.push(convert(row));
    if (batch.length >= req.batchSize) {
      ready.push(batch);
      batch = [];
      if (ready.length >= READ_AHEAD) request.pause();
      notify();
    }
  });
  request.on('error', (e: unknown) => {
    failure ??= e;
    notify();
  });
  request.on('done', () => {
    if (batch.length > 0) ready.push(batch);
    batch = [];
    finished = true;
    notify();
  });
  // A paused request must read on, or the server's acknowledgement of the cancel never arrives.
  const stop = () => {
    cancelling = true;
    request.resume();
    request.cancel();
  };
  const onAbort = stop;
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    request.query(text, () => undefined); // rows, errors and the end arrive as events (stream mode)
    for (;;) {
      if (failure) {
        if (ctx.signal.aborted) throw ctx.signal.reason ?? failure;
        throw new Error(`reading from ${String(req.connection.server)}: ${explain(failure, req.connection)}`);
      }
      const next = ready.shift();
      if (next) {
        if (ready.length < READ_AHEAD) request.resume();
        yield { rows: next };
        continue;
      }
      if (finished) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    if (!finished) stop();
    await pool.close().catch(() => undefined);
  }
}
