// The typed columns flowing between steps.
import type { Type } from './types.js';

export interface ColumnInfo {
  name: string;
  type: Type;
  /** Free text: what the column means (from the Aeries catalog or the spec). */
  doc?: string;
  /** The most characters a text column holds, when known (a catalog's varchar(10), a literal). */
  maxLength?: number;
  /** The lookup (without `required: true`) whose missing match makes this column null, when that is why it may be. */
  nullableVia?: string;
}

export type RowSchema = ColumnInfo[];

export function schemaMap(schema: RowSchema): Map<string, Type> {
  return new Map(schema.map((c) => [c.name, c.type]));
}
