// The typed shape of an integration spec after YAML and schema validation (language v1).

export type Expression = string;

export interface ParamSpec {
  type: string;
  default?: unknown;
  doc?: string;
  values?: unknown[];
  /** A regular expression every text value must match (a 7-digit CDS code: '^\\d{7}$'). */
  pattern?: string;
}

/** A connection: `use:` names the connector, the other keys are that connector's settings. */
export interface ConnectionSpec {
  use: string;
  [setting: string]: unknown;
}

export interface ProfileSpec {
  description?: string;
  connections?: Record<string, ConnectionSpec>;
  params?: Record<string, unknown>;
}

/** A source: `from:` names a connection, the other keys are the connector's source settings. */
export interface SourceSpec {
  from: string;
  description?: string;
  where?: Expression;
  /** true: an import may run when this source has no rows; false: no run may. */
  allow_empty?: boolean;
  [setting: string]: unknown;
}

export interface LookupSpec {
  from: string;
  key: string | string[];
  on: Expression | Expression[];
  required?: boolean;
}

export interface DedupeSpec {
  key: string | string[];
  keep: 'first' | 'last' | 'reject';
  /** Column → values in order of preference: the most preferred row of a key wins. */
  prefer?: Record<string, (string | number | boolean)[]>;
}

export type RuleSpec =
  | { required: string | string[]; name?: string }
  | { unique: string | string[]; name?: string }
  | { matches: Record<string, string>; name?: string }
  | { one_of: Record<string, unknown[]>; name?: string }
  | { max_length: Record<string, number>; name?: string }
  | { references: { column: string; step: string; key: string }; name?: string }
  | { check: Expression; message: string; name?: string };

export interface StepSpec {
  description?: string;
  from?: string;
  union?: string[];
  lookup?: Record<string, LookupSpec>;
  where?: Expression;
  columns?: Record<string, Expression>;
  dedupe?: DedupeSpec;
  /** Numbers rows 1, 2, … within each key (a sequence column such as Aeries' SQ). */
  number?: { within: string | string[]; as: string };
  /** One row per element of a list column, the element in a new column `as` (before lookups and mapping). */
  unnest?: { column: string; as: string };
  rules?: RuleSpec[];
}

/** Limits on how far an output may move from the last published one before the run is held. */
export interface GuardSpec {
  key: string | string[];
  max_removed?: number | string;
  max_added?: number | string;
  max_changed?: number | string;
  min_rows?: number;
}

export interface OutputSpec {
  from: string;
  to: string;
  description?: string;
  /** Table imports whose held slices are held here too. */
  hold_with?: string[];
  guard?: GuardSpec;
  [setting: string]: unknown;
}

export interface RejectsSpec {
  max?: number | string;
  to?: string;
  path?: string;
  spreadsheet_safe?: boolean;
}

export interface ScheduleSpec {
  cron: string;
  timezone: string;
  doc?: string;
  catch_up?: 'once' | 'skip';
}

export interface TestSpec {
  name: string;
  params?: Record<string, unknown>;
  /** Each source's rows, or a CSV file of them (relative to the spec, inside its folder). */
  given: Record<string, Record<string, unknown>[] | string>;
  expect: Record<string, Record<string, unknown>[] | string>;
  rejects?: { step?: string; reason?: string; count?: number }[];
}

export interface NotifySpec {
  to: string;
  when?: 'always' | 'success' | 'failure';
  attach?: string[];
  description?: string;
  [setting: string]: unknown;
}

export interface Spec {
  sisflow: 1;
  name: string;
  description?: string;
  params?: Record<string, ParamSpec>;
  connections?: Record<string, ConnectionSpec>;
  profiles?: Record<string, ProfileSpec>;
  sources: Record<string, SourceSpec>;
  steps?: Record<string, StepSpec>;
  outputs: Record<string, OutputSpec>;
  notify?: Record<string, NotifySpec>;
  rejects?: RejectsSpec;
  schedule?: ScheduleSpec;
  tests?: TestSpec[];
}
