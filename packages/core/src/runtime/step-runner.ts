// Runs one transform step over batches: lookups (hash join), the compiled filter+mapping, the
// declared rules and dedupe. Rows that fail go to rejects with the reason; the rest flow on.
import type { Row } from '../connector/connector.js';
import { RowError } from '../expr/row-error.js';
import { KeyIndex } from './key-index.js';
import { tableKey, type LookupTable } from './lookup-table.js';
import { PreferredRows } from './preferred-rows.js';
import type { PreparedLookup, PreparedRule, PreparedTransform } from './prepare.js';
import { compileRuleCheck, type RuleCheck, type SlowRule } from './rule-check.js';
import { rejectData, type Reject, type RejectKind } from './rejects.js';
import { NOTHING_UNKNOWN, type HeldRow } from './held.js';

export interface Batch {
  rows: Row[];
  /** Line or record number of each row in its source. */
  lines: number[];
  /** The source the rows came from (a union's batches each come from one input's source). */
  source: string;
  /** Rows refused on the way here, carried on so imports hold the slices they belong to (held.ts). */
  held?: HeldRow[];
}

export interface StepCounts {
  in: number;
  out: number;
  filtered: number;
  rejected: number;
  deduplicated: number;
}

/** A `references` target: the set of key values that exist. */
export type KeySet = Set<unknown>;

/** Lookup tables are keyed by the side they read and the key columns they match on. */
export function lookupTableId(from: string, key: readonly string[]): string {
  return `${from}|${key.join(',')}`;
}

export function lookupKey(values: unknown[]): unknown {
  if (values.length === 1) return values[0];
  return JSON.stringify(values);
}

export class StepRunner {
  readonly counts: StepCounts = { in: 0, out: 0, filtered: 0, rejected: 0, deduplicated: 0 };
  private readonly unique = new Map<string, KeyIndex>();
  private seen = new KeyIndex();
  private readonly kept = new Map<unknown, { row: Row; line: number; source: string }>();
  private readonly preferred: PreferredRows | undefined;
  /** `dedupe: prefer` — each column's values → their place in the order of preference. */
  private readonly preference: { column: string; places: Map<unknown, number> }[];
  /** `number:` — the last number given within each key. */
  private readonly numbers = new Map<unknown, number>();
  private tablesFound: LookupTable[] | undefined;
  /** Whether a row breaks one of the step's rules, and which (generated once, rule-check.ts). */
  private readonly ruleCheck: RuleCheck;

  constructor(
    private readonly step: PreparedTransform,
    private readonly tables: ReadonlyMap<string, LookupTable>,
    private readonly keySets: ReadonlyMap<string, KeySet>,
    private readonly reject: (r: Reject) => void,
  ) {
    this.preference = (step.plan.dedupe?.prefer ?? []).map((p) => ({ column: p.column, places: new Map(p.values.map((v, i) => [v, i])) }));
    if (step.plan.dedupe?.prefer) this.preferred = new PreferredRows(step.plan.dedupe.keep);
    this.ruleCheck = compileRuleCheck(step.rules);
  }

  /** Where a row stands in the order of preference: lower wins; values not listed come after all listed ones. */
  private rank(row: Row): number[] {
    return this.preference.map((p) => p.places.get(row[p.column]) ?? p.places.size);
  }

  process(input: Batch): Batch {
    const { fn, lookups, rules, plan } = this.step;
    const batch = plan.unnest ? unnest(input, plan.unnest) : input;
    const dedupe = plan.dedupe;
    const out: Row[] = [];
    const lines: number[] = [];
    const held: HeldRow[] = [];
    for (const h of batch.held ?? []) {
      const next = this.follow(h);
      if (next) held.push(next);
    }
    const found: (Row | undefined)[] = new Array(lookups.length);
    const tables = this.lookupTables(lookups);
    this.counts.in += batch.rows.length;
    rows: for (let i = 0; i < batch.rows.length; i++) {
      const row = batch.rows[i]!;
      const line = batch.lines[i]!;
      let mapped: Row | undefined;
      try {
        for (let k = 0; k < lookups.length; k++) {
          const l = lookups[k]!;
          const values = l.on.length === 1 ? undefined : l.on.map((f) => f(row));
          const key = values ? tableKey(values) : l.on[0]!(row);
          const hit = key === null ? undefined : tables[k]?.get(key);
          if (!hit && l.required) {
            const reason = `no ${l.from} row where ${l.key.join(', ')} = ${display(values ? lookupKey(values) : key)} (lookup \`${l.alias}\` is required)`;
            this.fail(row, line, batch.source, reason, 'unmatched');
            const h = this.follow({ row, unknown: NOTHING_UNKNOWN, source: batch.source, line, reason });
            if (h) held.push(h);
            continue rows;
          }
          found[k] = hit;
        }
        mapped = lookups.length === 0 ? fn(row) : fn(row, ...found);
      } catch (e) {
        if (!(e instanceof RowError)) throw e;
        this.fail(row, line, batch.source, e.message, 'invalid');
        held.push({ row: {}, unknown: 'all', source: batch.source, line, reason: e.message });
        continue;
      }
      if (mapped === undefined) {
        this.counts.filtered++;
        continue;
      }
      const broken = this.brokenRule(rules, mapped, line);
      if (broken) {
        this.fail(mapped, line, batch.source, broken, 'invalid');
        held.push(this.heldAfterMapping(mapped, batch.source, line, broken));
        continue;
      }
      if (this.preferred) {
        // The most preferred row of each key; it leaves once no row can replace it or an earlier key's.
        if (this.preferred.offer(lookupKey(dedupe!.key.map((k) => mapped![k])), mapped, line, batch.source, this.rank(mapped))) this.counts.deduplicated++;
        continue;
      }
      if (dedupe) {
        const key = lookupKey(dedupe.key.map((k) => mapped![k]));
        const first = this.seen.get(key);
        if (first !== undefined || dedupe.keep === 'last') {
          if (dedupe.keep === 'reject' && first !== undefined) {
            const reason = `duplicate ${dedupe.key.join(', ')} ${display(key)} (first seen on line ${first})`;
            this.fail(mapped, line, batch.source, reason, 'duplicate');
            held.push(this.heldAfterMapping(mapped, batch.source, line, reason));
            continue;
          }
          if (dedupe.keep === 'last') {
            if (first === undefined) this.seen.set(key, line);
            else this.counts.deduplicated++;
            this.kept.set(key, { row: mapped, line, source: batch.source });
            continue;
          }
          this.counts.deduplicated++;
          continue;
        }
        this.seen.set(key, line);
      }
      out.push(this.numbered(mapped));
      lines.push(line);
    }
    if (this.preferred) {
      for (const c of this.preferred.release(batch.source)) {
        out.push(this.numbered(c.row));
        lines.push(c.line);
      }
    }
    this.counts.out += out.length;
    return { rows: out, lines, source: batch.source, ...(held.length > 0 ? { held } : {}) };
  }

  /**
   * A held row through this step: looked up and mapped like a good row, so it reaches the outputs
   * in their terms. Output columns computed from unknown cells are unknown; when a lookup key or
   * the filter depends on an unknown cell, or the mapping fails, nothing is known any more.
   * A whole row the filter drops belongs to no slice further on and is dropped (a partly read one
   * may have been misread, so it stays, knowing nothing).
   */
  private follow(h: HeldRow): HeldRow | undefined {
    if (h.unknown === 'all') return h;
    const unknown = h.unknown;
    const { fn, lookups, depends } = this.step;
    const touches = (cols: ReadonlySet<string>) => unknown.size > 0 && [...cols].some((c) => unknown.has(c));
    const found: (Row | undefined)[] = new Array(lookups.length);
    for (let k = 0; k < lookups.length; k++) {
      if (touches(depends.lookups[k]!)) return { ...h, row: {}, unknown: 'all' };
      const l = lookups[k]!;
      let key: unknown;
      try {
        key = l.on.length === 1 ? l.on[0]!(h.row) : tableKey(l.on.map((f) => f(h.row)));
      } catch {
        return { ...h, row: {}, unknown: 'all' };
      }
      // A required lookup that finds nothing maps to nulls: a slice taken from it is then no slice
      // of the destination, while one taken from the row itself (a student ID in the file) still is.
      found[k] = key === null ? undefined : this.tables.get(lookupTableId(l.from, l.key))?.get(key);
    }
    let mapped: Row | undefined;
    try {
      mapped = lookups.length === 0 ? fn(h.row) : fn(h.row, ...found);
    } catch {
      return { ...h, row: {}, unknown: 'all' };
    }
    if (mapped === undefined) return h.partial || touches(depends.where) ? { ...h, row: {}, unknown: 'all' } : undefined;
    let next: ReadonlySet<string> = unknown;
    if (depends.columns && unknown.size > 0) {
      const u = new Set<string>();
      for (const [col, deps] of depends.columns) if (touches(deps)) u.add(col);
      next = u;
    }
    return { ...this.heldAfterMapping(mapped, h.source, h.line, h.reason, next), ...(h.partial ? { partial: true as const } : {}) };
  }

  /** A row refused after this step mapped it: known as mapped, except the number it was not given. */
  private heldAfterMapping(row: Row, source: string, line: number, reason: string, unknown: ReadonlySet<string> = NOTHING_UNKNOWN): HeldRow {
    const n = this.step.plan.number;
    return { row, unknown: n ? new Set([...unknown, n.as]) : unknown, source, line, reason };
  }

  /** The loaded table of each lookup, found once (the sides are loaded before any row is processed). */
  private lookupTables(lookups: readonly PreparedLookup[]): (LookupTable | undefined)[] {
    if (this.tablesFound) return this.tablesFound;
    const found = lookups.map((l) => this.tables.get(lookupTableId(l.from, l.key)));
    if (found.every((t) => t !== undefined)) this.tablesFound = found;
    return found;
  }

  /**
   * Rows held back until the end (`dedupe: keep: last`, or `prefer` rows that could still have been
   * replaced), in the order their keys first appeared; a batch holds rows of one source.
   */
  *finish(batchSize: number): Iterable<Batch> {
    const held: { row: Row; line: number; source: string }[] = this.preferred ? [...this.preferred.rest()] : [...this.kept.values()];
    this.kept.clear();
    if (held.length === 0) return;
    this.counts.out += held.length;
    // In batches, like any other input: a sink checks for cancellation and applies backpressure per batch.
    for (let i = 0; i < held.length; ) {
      const source = held[i]!.source;
      let end = i + 1;
      while (end < held.length && end - i < batchSize && held[end]!.source === source) end++;
      const part = held.slice(i, end);
      yield { rows: part.map((k) => this.numbered(k.row)), lines: part.map((k) => k.line), source };
      i = end;
    }
  }

  /**
   * Whether the step holds rows back until its inputs end (`dedupe: keep: last`, `prefer`): its
   * `finish` sends rows on after every source was read.
   */
  get holdsRows(): boolean {
    return this.step.plan.dedupe?.keep === 'last' || this.preferred !== undefined;
  }

  /**
   * Lets go of what only arriving rows need, once no row can arrive any more: the keys a dedupe or
   * a `unique` rule or a `prefer` has seen (at 200 schools, a users step's 180,000 sourcedIds). Rows held back
   * for `finish` and the `number:` counts stay.
   */
  inputsEnded(): void {
    if (this.seen.size > 0) this.seen = new KeyIndex();
    this.preferred?.inputsEnded();
    this.unique.clear();
  }

  /** Adds the `number:` column: 1, 2, 3, … within each key, in the order rows leave the step. */
  private numbered(row: Row): Row {
    const n = this.step.plan.number;
    if (!n) return row;
    const key = lookupKey(n.within.map((k) => row[k]));
    const next = (this.numbers.get(key) ?? 0) + 1;
    this.numbers.set(key, next);
    return { ...row, [n.as]: next }; // a copy: a step without columns passes its input rows on, which others may share
  }

  private fail(row: Row, line: number, source: string, reason: string, kind: RejectKind): void {
    this.counts.rejected++;
    this.reject({ step: this.step.plan.name, source, line, kind, reason, data: rejectData(row) });
  }

  private brokenRule(rules: PreparedRule[], row: Row, line: number): string | undefined {
    if (rules.length === 0) return undefined;
    this.slowWhy = undefined;
    const i = this.ruleCheck(row, line, this.slowRule);
    if (i < 0) return undefined;
    const r = rules[i]!;
    const why = this.slowWhy ?? this.ruleProblem(r, row, line)!;
    return r.name ? `${r.name}: ${why}` : why;
  }

  /** What the rule judged through `slowRule` said (rule-check.ts): its words, when broken. */
  private slowWhy: string | undefined;
  private readonly slowRule: SlowRule = (i, row, line) => (this.slowWhy = this.ruleProblem(this.step.rules[i]!, row, line)) !== undefined;

  private ruleProblem(r: PreparedRule, row: Row, line: number): string | undefined {
    switch (r.kind) {
      case 'required': {
        const empty = r.columns.filter((c) => isEmpty(row[c]));
        return empty.length ? `${empty.join(', ')} ${empty.length > 1 ? 'are' : 'is'} required but empty` : undefined;
      }
      case 'unique': {
        const id = r.columns.join('\u0000');
        let seen = this.unique.get(id);
        if (!seen) this.unique.set(id, (seen = new KeyIndex()));
        const values = r.columns.map((c) => row[c]);
        if (values.some((v) => v === null || v === undefined)) return undefined;
        const key = lookupKey(values);
        const first = seen.get(key);
        if (first !== undefined) return `duplicate ${r.columns.join(', ')} ${display(key)} (first seen on line ${first})`;
        seen.set(key, line);
        return undefined;
      }
      case 'matches': {
        const v = row[r.column];
        return v === null || v === undefined || r.regex!.test(String(v)) ? undefined : `${r.column} ${display(v)} does not match ${r.pattern}`;
      }
      case 'one_of': {
        const v = row[r.column];
        return v === null || v === undefined || r.values.includes(v) ? undefined : `${r.column} ${display(v)} is not one of ${r.values.map(display).join(', ')}`;
      }
      case 'max_length': {
        const v = row[r.column];
        if (v === null || v === undefined) return undefined;
        const text = String(v);
        // UTF-16 length bounds the number of characters: count them only when it is over.
        if (text.length <= r.max) return undefined;
        const n = [...text].length;
        return n > r.max ? `${r.column} is ${n} characters long; at most ${r.max} allowed` : undefined;
      }
      case 'references': {
        const v = row[r.column];
        return v === null || v === undefined || this.keySets.get(`${r.step}.${r.key}`)?.has(v) ? undefined : `${r.column} ${display(v)} has no match in ${r.step}.${r.key}`;
      }
      case 'check': {
        let ok: unknown;
        try {
          ok = r.test!(row);
        } catch (e) {
          if (!(e instanceof RowError)) throw e;
          return `${r.message} (${e.message})`;
        }
        return ok === true ? undefined : r.message;
      }
    }
  }
}

/** One row per element of a list column, the element under `as`; an empty or null list gives none. */
function unnest(batch: Batch, u: { column: string; as: string }): Batch {
  const rows: Row[] = [];
  const lines: number[] = [];
  for (let i = 0; i < batch.rows.length; i++) {
    const row = batch.rows[i]!;
    const list = row[u.column];
    if (!Array.isArray(list)) continue;
    for (const el of list) {
      rows.push({ ...row, [u.as]: el });
      lines.push(batch.lines[i]!);
    }
  }
  return { rows, lines, source: batch.source };
}

const isEmpty = (v: unknown) => v === null || v === undefined || (typeof v === 'string' && v.trim() === '');

function display(v: unknown): string {
  if (typeof v === 'string') return v.startsWith('[') ? v : `'${v}'`;
  return v === null || v === undefined ? 'null' : String(v);
}
