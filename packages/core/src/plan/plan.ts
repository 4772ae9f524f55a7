// The job plan: plain JSON, deterministic for a spec + params, with a content hash and no secret values.
import type { ColumnLimit, Needs, Settings } from '../connector/connector.js';

export const PLAN_VERSION = 1;

export interface PlanColumn {
  name: string;
  /** A type name as written in specs: `string`, `int?`, `date`. */
  type: string;
}

export interface PlanFilter {
  /** The whole `where` as written. */
  expression: string;
  /** Conjuncts the source's database evaluates. */
  pushdown?: { dialect: string; sql: string; parameters: unknown[]; types?: string[]; expressions: string[] };
  /** Conjuncts evaluated in JavaScript after reading. */
  residual: string[];
}

export interface PlanSource {
  kind: 'source';
  name: string;
  connection: string;
  use: string;
  settings: Settings;
  schema: PlanColumn[];
  filter?: PlanFilter;
  /** Every column `where` may test (a table's columns), when more than the ones read. */
  filterSchema?: PlanColumn[];
  /** `allow_empty`: true, an import may run when this source has no rows; false, no run may (absent: imports may not). */
  allowEmpty?: boolean;
}

export interface PlanLookup {
  alias: string;
  from: string;
  key: string[];
  on: string[];
  required: boolean;
  /** The columns of the looked-up side the step reads (`alias.column`): its table keeps only these. */
  columns: string[];
}

export type PlanRule =
  | { kind: 'required'; columns: string[]; name?: string }
  | { kind: 'unique'; columns: string[]; name?: string }
  | { kind: 'matches'; column: string; pattern: string; name?: string }
  | { kind: 'one_of'; column: string; values: unknown[]; name?: string }
  | { kind: 'max_length'; column: string; max: number; name?: string }
  | { kind: 'references'; column: string; step: string; key: string; name?: string }
  | { kind: 'check'; expression: string; message: string; name?: string };

export interface PlanTransform {
  kind: 'transform';
  name: string;
  /** One input, or several read one after another (union). */
  inputs: string[];
  lookups: PlanLookup[];
  where?: string;
  columns?: { name: string; expression: string }[];
  dedupe?: {
    key: string[];
    keep: 'first' | 'last' | 'reject';
    /** The most preferred row of a key wins (columns in the order written); `keep` breaks ties. */
    prefer?: { column: string; values: (string | number | boolean)[] }[];
  };
  /** Rows numbered 1, 2, … per `within` key into the column `as`, after dedupe and rules. */
  number?: { within: string[]; as: string };
  /** Each input row is repeated once per element of the list column, the element in `as`. */
  unnest?: { column: string; as: string };
  rules: PlanRule[];
  schema: PlanColumn[];
}

export type PlanStep = PlanSource | PlanTransform;

export interface PlanOutput {
  name: string;
  from: string;
  connection: string;
  use: string;
  settings: Settings;
  target: string;
  schema: PlanColumn[];
  /** For each column, the source columns (`source.column`) it is computed from. */
  lineage: Record<string, string[]>;
  /** A table import: what its columns accept and how it is sliced (see docs/imports.md). */
  table?: PlanTableImport;
}

export interface PlanTableImport {
  /** Columns naming a slice held whole when one of its rows is refused; [] is the whole output. Absent: no slices. */
  slice?: string[];
  /** Other outputs whose held slices (same slice columns) are held here too (`hold_with`). */
  holdWith: string[];
  columns: ColumnLimit[];
}

export interface PlanNotification {
  name: string;
  connection: string;
  use: string;
  settings: Settings;
  when: 'always' | 'success' | 'failure';
  attach: string[];
  target: string;
}

export interface JobPlan {
  planVersion: typeof PLAN_VERSION;
  name: string;
  description?: string;
  /** sha256 over the canonical JSON of everything else in the plan. */
  hash: string;
  profile?: string;
  params: Record<string, { type: string; value: unknown }>;
  /** Connection settings with `${env:…}` / `${secret:…}` references kept as references. */
  connections: Record<string, { use: string; settings: Settings }>;
  steps: PlanStep[];
  outputs: PlanOutput[];
  notify: PlanNotification[];
  rejects: { max?: number | string; to?: string; path?: string; spreadsheet_safe?: boolean };
  schedule?: { cron: string; timezone: string };
  needs: Record<string, Needs>;
  /** How many spec-embedded tests the spec carries (run by `sisflow test`). */
  tests: number;
}
