// The destination checks a table import runs on every value before staging it: one function, so
// SQLite and SQL Server refuse the same rows with the same words.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ColumnLimit } from '@sisflow/core';
import { columnProblem } from '../src/runtime/column-limits.js';

const limits: ColumnLimit[] = [
  { name: 'ID', kind: 'int', nullable: false, min: -2147483648, max: 2147483647, key: true, declared: 'int' },
  { name: 'SQ', kind: 'int', nullable: false, min: -32768, max: 32767, key: true, declared: 'smallint' },
  { name: 'SV', kind: 'string', nullable: false, maxLength: 3, declared: 'varchar(3)' },
  { name: 'FQ', kind: 'string', nullable: true, maxLength: 10, declared: 'varchar(10)' },
  { name: 'SD', kind: 'date', nullable: true, declared: 'date' },
  { name: 'AT', kind: 'datetime', nullable: true, declared: 'datetime2' },
  { name: 'AM', kind: 'decimal', nullable: true, declared: 'decimal(9,2)' },
  { name: 'DEL', kind: 'bool', nullable: false, declared: 'bit' },
];
const ok = { ID: 1, SQ: 1, SV: '415', FQ: null, SD: '2026-02-28', AT: '2026-02-28T10:00:00', AM: 1.5, DEL: false };

test('a row that fits passes; columns the output does not have are not asked for', () => {
  assert.is(columnProblem(limits, ok), undefined);
  assert.is(columnProblem(limits, { ID: 1, SV: 'abc' }), undefined);
  assert.is(columnProblem(limits, { ...ok, SV: 'ééé' }), undefined, 'length counts characters, not bytes');
});

test('each kind of misfit is refused with the column and its declaration named', () => {
  const why = (row: Record<string, unknown>) => columnProblem(limits, { ...ok, ...row });
  assert.is(why({ SV: 'ABCD' }), 'SV: 4 characters long, at most 3 fit (the destination column is varchar(3) NOT NULL)');
  assert.is(why({ SV: null }), 'SV: no value, and the column requires one (the destination column is varchar(3) NOT NULL)');
  assert.is(why({ ID: null }), 'ID: a key column has no value (the destination column is int NOT NULL)');
  assert.is(why({ SQ: 40000 }), 'SQ: 40000 is outside -32768 to 32767 (the destination column is smallint NOT NULL)');
  assert.is(why({ SQ: 1.5 }), 'SQ: 1.5 is not a whole number (the destination column is smallint NOT NULL)');
  assert.is(why({ FQ: 12 }), 'FQ: 12 is not text (the destination column is varchar(10))');
  assert.is(why({ SD: '2026-02-30' }), "SD: '2026-02-30' is not a date (YYYY-MM-DD) (the destination column is date)");
  assert.is(why({ AT: 'soon' }), "AT: 'soon' is not a date and time (the destination column is datetime2)");
  assert.is(why({ AM: Number.NaN }), 'AM: NaN is not a number (the destination column is decimal(9,2))');
  assert.is(why({ DEL: 'no' }), "DEL: 'no' is not true or false (the destination column is bit NOT NULL)");
  assert.match(why({ SV: 'x'.repeat(5 * 1024 * 1024) })!, /^SV: 5242880 characters long/);
});

test.run();
