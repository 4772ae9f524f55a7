// The OneRoster 1.1 Gradebook records sisflow writes over the REST binding (categories, lineItems,
// results): each record's fields, the flat output column that feeds each one (named like the CSV
// binding's columns: classSourcedId feeds the GUIDRef `class`), whether it is required, and what
// it must hold. A row becomes the JSON record a PUT sends. No I/O: the declaration loads this.
import type { Row, RowSchema } from '@sisflow/core';

export type GradebookCollection = 'categories' | 'lineItems' | 'results';

type FieldKind =
  | { kind: 'text' }
  | { kind: 'number' }
  | { kind: 'date' }
  | { kind: 'datetime' }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'ref'; collection: string; type: string };

interface Field {
  /** The output column. */
  column: string;
  /** The JSON property. */
  key: string;
  required: boolean;
  rule: FieldKind;
  /** Read to check the record, never sent (a result's class, for schools without a master schedule). */
  checkOnly?: boolean;
}

const f = (column: string, rule: FieldKind = { kind: 'text' }, required = false, key = column): Field => ({ column, key, required, rule });
const ref = (column: string, collection: string, type: string, required = true): Field => f(column, { kind: 'ref', collection, type }, required, column.replace(/SourcedId$/, ''));

export const SCORE_STATUS = ['exempt', 'fully graded', 'not submitted', 'partially graded', 'submitted'] as const;

const COMMON = [f('sourcedId', { kind: 'text' }, true), f('status', { kind: 'enum', values: ['active', 'tobedeleted'] }), f('dateLastModified', { kind: 'datetime' })];

export const GRADEBOOK: Record<GradebookCollection, { record: string; fields: Field[] }> = {
  categories: { record: 'category', fields: [...COMMON, f('title', undefined, true)] },
  lineItems: {
    record: 'lineItem',
    fields: [
      ...COMMON,
      f('title', undefined, true),
      f('description'),
      f('assignDate', { kind: 'datetime' }, true),
      f('dueDate', { kind: 'datetime' }, true),
      ref('classSourcedId', 'classes', 'class'),
      ref('categorySourcedId', 'categories', 'category'),
      ref('gradingPeriodSourcedId', 'academicSessions', 'academicSession'),
      f('resultValueMin', { kind: 'number' }),
      f('resultValueMax', { kind: 'number' }),
    ],
  },
  results: {
    record: 'result',
    fields: [
      ...COMMON,
      ref('lineItemSourcedId', 'lineItems', 'lineItem'),
      ref('studentSourcedId', 'students', 'user'),
      f('scoreStatus', { kind: 'enum', values: SCORE_STATUS }, true),
      f('score', { kind: 'number' }, true),
      f('scoreDate', { kind: 'date' }, true),
      f('comment'),
      { ...f('classSourcedId'), checkOnly: true },
    ],
  },
};

/** Column types that fit a field. */
const FITS: Record<FieldKind['kind'], readonly string[]> = {
  text: ['string'],
  enum: ['string'],
  ref: ['string'],
  number: ['int', 'decimal'],
  date: ['date', 'string'],
  datetime: ['datetime', 'date', 'string'],
};

/** Why an output's columns cannot make these records: the first problem, with its code. */
export function schemaProblem(collection: GradebookCollection, schema: RowSchema, checkClass: boolean): { code: 'SF460' | 'SF461' | 'SF208'; message: string; hint: string } | undefined {
  const { fields, record } = GRADEBOOK[collection];
  const have = new Map(schema.map((c) => [c.name, c.type]));
  const missing = fields.filter((x) => x.required && !have.has(x.column)).map((x) => x.column);
  if (missing.length > 0) return { code: 'SF460', message: `a OneRoster ${record} needs the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`, hint: `give the step ${missing.join(', ')}; a ${record} has ${fields.map((x) => x.column).join(', ')}` };
  if (checkClass && !have.has('classSourcedId')) return { code: 'SF460', message: `the connection names schools without a master schedule, so each ${record} needs the column classSourcedId (its class, checked, not sent)`, hint: `add classSourcedId: the class of the result's line item` };
  const known = new Set(fields.map((x) => x.column));
  const unknown = schema.find((c) => !known.has(c.name));
  if (unknown) return { code: 'SF208', message: `a OneRoster ${record} has no field for the column \`${unknown.name}\``, hint: `its columns are ${fields.map((x) => x.column).join(', ')}` };
  for (const x of fields) {
    const t = have.get(x.column);
    if (t && !FITS[x.rule.kind].includes(t.kind)) return { code: 'SF461', message: `${x.column} of a OneRoster ${record} must be ${FITS[x.rule.kind].join(' or ')}, not ${t.kind}`, hint: x.rule.kind === 'number' ? 'declare the CSV column as decimal, or convert it with parse_decimal(...)' : 'convert it with text(...)' };
  }
  return undefined;
}

/** A row as the record a PUT sends (`{ lineItem: {…} }`), or why it cannot be one. */
export function toRecord(collection: GradebookCollection, row: Row, base: string, modified: string): { body: Record<string, unknown>; sourcedId: string } | { problem: string } {
  const { fields, record } = GRADEBOOK[collection];
  const out: Record<string, unknown> = { status: 'active', dateLastModified: modified };
  for (const x of fields) {
    if (x.checkOnly) continue;
    const v = row[x.column];
    if (v === null || v === undefined || v === '') {
      if (x.required) return { problem: `${x.column} is empty; a ${record} needs it` };
      continue;
    }
    const r = x.rule;
    if (r.kind === 'ref') out[x.key] = { href: `${base}/${r.collection}/${encodeURIComponent(String(v))}`, sourcedId: String(v), type: r.type };
    else if (r.kind === 'enum' && !r.values.includes(String(v))) return { problem: `${x.column} is '${String(v)}', not one of ${r.values.join(', ')}` };
    else if (r.kind === 'date' && !/^\d{4}-\d{2}-\d{2}$/.test(String(v))) return { problem: `${x.column} is '${String(v)}', not a date (YYYY-MM-DD)` };
    else if (r.kind === 'datetime' && !/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(String(v))) return { problem: `${x.column} is '${String(v)}', not a date and time (ISO 8601)` };
    else out[x.key] = r.kind === 'number' ? Number(v) : String(v);
  }
  const sourcedId = String(out.sourcedId);
  return { body: { [record]: out }, sourcedId };
}
