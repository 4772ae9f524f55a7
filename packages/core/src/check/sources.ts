// Sources: the connection can read, its settings fit the connector, `where` is typed and split
// into the part the database runs (pushed down) and the part JavaScript runs.
import type { SourceDescription } from '../connector/connector.js';
import { conjuncts, exprToSql, type SqlFragment } from '../expr/compile-sql.js';
import type { Expr } from '../expr/ast.js';
import { checkExpression, type CheckedExpr, type ParamValue } from '../expr/check.js';
import { schemaMap, type RowSchema } from '../expr/row-schema.js';
import { T } from '../expr/types.js';
import { SOURCE_LANGUAGE_KEYS } from '../spec/schema.js';
import { connectorRole } from './connector-role.js';
import type { CheckContext } from './context.js';

export interface SourceFilter {
  text: string;
  /** Conjuncts the database evaluates, compiled for the source's dialect. */
  pushdown?: SqlFragment & { dialect: string; expressions: string[] };
  /** Conjuncts JavaScript evaluates after reading. */
  residual: string[];
  /** Every column the condition tests (the database needs them readable, e.g. for grants). */
  reads: string[];
}

export interface SourceAnalysis {
  name: string;
  connection: string;
  use: string;
  settings: Record<string, unknown>;
  description: SourceDescription;
  schema: RowSchema;
  filter?: SourceFilter;
}

export function checkSource(ctx: CheckContext, name: string, params: ReadonlyMap<string, ParamValue>): SourceAnalysis | undefined {
  const src = ctx.spec.sources[name]!;
  const path = ['sources', name];
  const found = connectorRole(ctx, path, src.from, src, SOURCE_LANGUAGE_KEYS, 'source');
  if (!found) return undefined;
  const { settings } = found.describe;
  const description = found.role.describe(found.describe);
  if (!description) return undefined;
  const analysis: SourceAnalysis = { name, connection: src.from, use: found.use, settings, description, schema: description.schema };
  if (src.where !== undefined) {
    const filter = checkSourceFilter(ctx, name, src.where, description, params);
    if (filter) analysis.filter = filter;
  }
  return analysis;
}

function checkSourceFilter(ctx: CheckContext, name: string, text: string, desc: SourceDescription, params: ReadonlyMap<string, ParamValue>): SourceFilter | undefined {
  const path = ['sources', name, 'where'];
  const columns = schemaMap(desc.pushdown && desc.filterSchema ? desc.filterSchema : desc.schema);
  const read = new Set(desc.schema.map((c) => c.name));
  const scope = { columns, qualifiers: new Map([[name, columns]]), params };
  const checked = ctx.condition(path, text, scope);
  if (!checked) return undefined;
  if (checked.type.kind !== 'bool' && checked.type.kind !== 'any') {
    ctx.report('SF311', `\`where\` must be a condition (bool), not ${checked.type.kind}`, path);
    return undefined;
  }
  const filter: SourceFilter = { text, residual: [], reads: checked.reads };
  const pushed: { text: string; checked: CheckedExpr }[] = [];
  for (const part of conjuncts(checked.expr)) {
    const partText = text.slice(part.start, part.end);
    const partChecked: CheckedExpr = { expr: part, type: checked.types.get(part) ?? T.bool, types: checked.types, reads: [] };
    if (desc.pushdown && exprToSql(partChecked, sqlScope(desc, params))) {
      pushed.push({ text: partText, checked: partChecked });
      continue;
    }
    const unread = [...new Set(columnsIn(part))].filter((c) => !read.has(c));
    if (unread.length > 0) {
      ctx.report('SF208', `\`${partText}\` cannot run in the database, and it tests ${unread.join(', ')}, which the source does not read`, path, `add ${unread.join(', ')} to \`columns:\``);
      continue;
    }
    filter.residual.push(partText);
  }
  if (pushed.length > 0 && desc.pushdown) {
    // Compile the pushed conjuncts together so parameter numbering runs through the whole clause.
    const combined = pushed.map((p) => p.checked.expr).reduce((a, b) => ({ kind: 'binary', op: 'and', left: a, right: b, start: a.start, end: b.end }));
    const { checked: recheck } = checkExpression(combined, { columns, qualifiers: new Map([[name, columns]]), params });
    const sql = exprToSql(recheck, sqlScope(desc, params))!;
    filter.pushdown = { dialect: desc.pushdown, sql: sql.sql, parameters: sql.parameters, ...(sql.types ? { types: sql.types } : {}), expressions: pushed.map((p) => p.text) };
  }
  return filter;
}

/** Column names an expression mentions. */
function columnsIn(expr: Expr): string[] {
  const out: string[] = [];
  const walk = (e: unknown): void => {
    if (!e || typeof e !== 'object') return;
    const node = e as { kind?: string; name?: string };
    if (node.kind === 'column' && typeof node.name === 'string') out.push(node.name);
    for (const v of Object.values(e)) if (v && typeof v === 'object') walk(v);
  };
  walk(expr);
  return out;
}

function sqlScope(desc: SourceDescription, params: ReadonlyMap<string, ParamValue>) {
  const cols = new Set((desc.filterSchema ?? desc.schema).map((c) => c.name));
  return {
    dialect: desc.pushdown!,
    column: (q: string | undefined, n: string) => (cols.has(n) ? (desc.columnSql ? desc.columnSql(n) : n) : undefined),
    params,
  };
}
