// Applying an output to an Aeries table: one transaction, the rows bulk-copied into a session
// temp table, one MERGE by the key columns, the counts of what it did. The
// transaction stays open until the runtime commits every output of the run; any failure, a dry
// run or a cancelled run rolls it back, so nothing is ever half imported.
import type { Row, RunContext, SinkWriteRequest, StagedWrite } from '@sisflow/core';
import { AERIES_CATALOG } from '../aeries/catalog.js';
import type * as Mssql from 'mssql';
import { createHeldSql, createStageSql, dropHeldSql, HELD, mergeSql, STAGE } from './mssql-sql.js';
import { driverType, toDriver } from './mssql-types.js';
import { connect, explain, loadMssql } from './pool.js';
import { sqlTypeToType } from '../aeries/column-types.js';
import { appliedColumns, deleteScope } from '../aeries/table-sink.js';

/** Rows per bulk copy into the staging table. */
const BULK_ROWS = 5000;

export async function writeMssql(req: SinkWriteRequest, ctx: RunContext): Promise<StagedWrite> {
  const mssql = await loadMssql();
  const table = AERIES_CATALOG.get(String(req.settings.table).toUpperCase())!;
  const columns = req.schema.map((c) => c.name);
  const key = req.settings.key as string[];
  const deleteMissing = deleteScope(req.settings);
  const sqlTypes = columns.map((c) => table.columns.find((x) => x.name === c)!.sql);
  const kinds = sqlTypes.map((t) => sqlTypeToType(t, true).kind);
  const where = `${String(req.connection.server)}, ${String(req.connection.database)}.${table.name}`;
  const pool = await connect(mssql, req.connection, false, ctx);
  const tx = new mssql.Transaction(pool);
  let began = false;
  const fail = async (e: unknown): Promise<never> => {
    if (began) await tx.rollback().catch(() => undefined);
    await pool.close().catch(() => undefined);
    if (ctx.signal.aborted) throw ctx.signal.reason ?? e;
    throw new Error(`import into ${where} rolled back: ${explain(e, req.connection)}`);
  };
  try {
    await tx.begin();
    began = true;
    await new mssql.Request(tx).batch(createStageSql(table, columns));
    // Bulk-loaded (TDS bulk copy) a chunk at a time, so memory stays bounded whatever the size.
    const load = async (chunk: Row[]) => {
      const stage = new mssql.Table(STAGE);
      stage.create = false;
      columns.forEach((c, j) => stage.columns.add(c, driverType(mssql, sqlTypes[j]!) as Mssql.ISqlType, { nullable: true }));
      for (const row of chunk) stage.rows.add(...columns.map((c, j) => toDriver(kinds[j], row[c]) as never));
      await new mssql.Request(tx).bulk(stage);
    };
    let pending: Row[] = [];
    let rows = 0;
    for await (const batch of req.rows) {
      if (ctx.signal.aborted) throw ctx.signal.reason ?? new Error('the run was cancelled');
      rows += batch.length;
      pending.push(...batch);
      if (pending.length >= BULK_ROWS) {
        await load(pending);
        pending = [];
      }
    }
    if (pending.length > 0) await load(pending);
    pending = [];
    // Slices a refused row belonged to are left as they were: their rows leave the stage first.
    const held = req.held?.();
    if (held?.all) {
      ctx.log(`${table.name}: held whole, nothing applied`);
      return staged({ rows, files: [], changes: { [table.name]: { inserted: 0, updated: 0, deleted: 0 } } });
    }
    if (held && held.slices.length > 0) {
      const sliceColumns = Object.keys(held.slices[0]!);
      await new mssql.Request(tx).batch(createHeldSql(table, sliceColumns));
      const heldTable = new mssql.Table(HELD);
      heldTable.create = false;
      sliceColumns.forEach((c) => heldTable.columns.add(c, driverType(mssql, table.columns.find((x) => x.name === c)!.sql) as Mssql.ISqlType, { nullable: true }));
      for (const slice of held.slices) heldTable.rows.add(...sliceColumns.map((c) => toDriver(sqlTypeToType(table.columns.find((x) => x.name === c)!.sql, true).kind, slice[c]) as never));
      await new mssql.Request(tx).bulk(heldTable);
      await new mssql.Request(tx).batch(dropHeldSql(sliceColumns));
    }
    if (rows === 0 && deleteMissing === true) {
      throw new Error(`the output is empty, and delete_missing would delete every row of ${table.name}; nothing was changed`);
    }
    // Columns computed from one the input lacks (absent: keep) stay staged but out of the MERGE.
    const merged = await new mssql.Request(tx).query(mergeSql({ table: table.name, columns: appliedColumns(req, ctx, table.name), key, deleteMissing }));
    const counts = { inserted: 0, updated: 0, deleted: 0 };
    for (const r of (merged.recordset ?? []) as { action: string; n: number }[]) {
      if (r.action === 'INSERT') counts.inserted = r.n;
      else if (r.action === 'UPDATE') counts.updated = r.n;
      else if (r.action === 'DELETE') counts.deleted = r.n;
    }
    ctx.log(`${table.name}: ${counts.inserted} to insert, ${counts.updated} to update, ${counts.deleted} to delete (not committed yet)`);
    return staged({ rows, files: [], changes: { [table.name]: counts } });
  } catch (e) {
    return fail(e);
  }

  function staged(result: StagedWrite['result']): StagedWrite {
    return {
      result,
      commit: async () => {
        try {
          await tx.commit();
        } catch (e) {
          await fail(e);
        }
        await pool.close().catch(() => undefined);
      },
      abort: async () => {
        await tx.rollback().catch(() => undefined);
        await pool.close().catch(() => undefined);
      },
    };
  }
}
