// The standard library: every function an expression may call, by name.
import type { FunctionDef } from '../functions.js';
import { AERIES_FUNCTIONS } from './aeries.js';
import { DATE_FUNCTIONS } from './dates.js';
import { ID_FUNCTIONS } from './ids.js';
import { LOGIC_FUNCTIONS } from './logic.js';
import { NUMBER_FUNCTIONS } from './numbers.js';
import { TEXT_FUNCTIONS } from './text.js';

export const STDLIB_GROUPS: { title: string; functions: FunctionDef[] }[] = [
  { title: 'Text', functions: TEXT_FUNCTIONS },
  { title: 'Nulls, conditions and value maps', functions: LOGIC_FUNCTIONS },
  { title: 'Numbers and conversions', functions: NUMBER_FUNCTIONS },
  { title: 'Dates', functions: DATE_FUNCTIONS },
  { title: 'Identifiers and e-mail', functions: ID_FUNCTIONS },
  { title: 'School data', functions: AERIES_FUNCTIONS },
];

export const STDLIB: ReadonlyMap<string, FunctionDef> = new Map(STDLIB_GROUPS.flatMap((g) => g.functions.map((f) => [f.name, f] as const)));
