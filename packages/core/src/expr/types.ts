// The types of the expression language: scalars, lists, and whether null is possible.

export type ScalarKind = 'string' | 'int' | 'decimal' | 'bool' | 'date' | 'datetime';
export type TypeKind = ScalarKind | 'list' | 'map' | 'null' | 'any';

export interface Type {
  kind: TypeKind;
  /** Element type of a list (and value type of a map). */
  element?: Type;
  nullable: boolean;
}

export const T = {
  string: { kind: 'string', nullable: false } as Type,
  int: { kind: 'int', nullable: false } as Type,
  decimal: { kind: 'decimal', nullable: false } as Type,
  bool: { kind: 'bool', nullable: false } as Type,
  date: { kind: 'date', nullable: false } as Type,
  datetime: { kind: 'datetime', nullable: false } as Type,
  null: { kind: 'null', nullable: true } as Type,
  any: { kind: 'any', nullable: true } as Type,
  list: (element: Type): Type => ({ kind: 'list', element, nullable: false }),
};

export const SCALAR_KINDS: readonly ScalarKind[] = ['string', 'int', 'decimal', 'bool', 'date', 'datetime'];

export function nullable(t: Type, isNullable = true): Type {
  if (t.nullable === isNullable) return t;
  return { ...t, nullable: isNullable };
}

export function typeToString(t: Type): string {
  const base = t.kind === 'list' || t.kind === 'map' ? `${t.kind}<${typeToString(nullable(t.element ?? T.any, false))}>` : t.kind;
  return t.nullable && t.kind !== 'null' && t.kind !== 'any' ? `${base}?` : base;
}

/** Parses `int`, `string?`, `list<int>`; undefined when it is not a type name. */
export function parseTypeName(text: string): Type | undefined {
  const s = text.trim();
  let isNullable = false;
  let body = s;
  if (body.endsWith('?')) {
    isNullable = true;
    body = body.slice(0, -1).trim();
  }
  const list = /^list\s*<\s*(.+)\s*>$/.exec(body);
  if (list) {
    const el = parseTypeName(list[1]!);
    if (!el || el.kind === 'list') return undefined;
    return { kind: 'list', element: el, nullable: isNullable };
  }
  if ((SCALAR_KINDS as readonly string[]).includes(body)) return { kind: body as ScalarKind, nullable: isNullable };
  return undefined;
}

export const TYPE_NAMES = [...SCALAR_KINDS, 'list<T>'];

/** What other languages call our types (SQL, JSON Schema, TypeScript), for "did you mean". */
const TYPE_SYNONYMS: Record<string, string> = {
  integer: 'int', smallint: 'int', bigint: 'int', tinyint: 'int', long: 'int', number: 'decimal', numeric: 'decimal', float: 'decimal', double: 'decimal', money: 'decimal',
  text: 'string', varchar: 'string', char: 'string', nvarchar: 'string', str: 'string', boolean: 'bool', bit: 'bool', timestamp: 'datetime', datetime2: 'datetime', array: 'list<T>',
};

/** The type name meant by a name from another language (`integer?` → `int?`), or undefined. */
export function typeSynonym(name: string): string | undefined {
  const m = /^(list\s*<\s*)?([A-Za-z0-9]+)(\s*>)?(\?)?$/.exec(name.trim());
  if (!m) return undefined;
  const base = TYPE_SYNONYMS[m[2]!.toLowerCase()];
  return base ? `${m[1] ? 'list<' : ''}${base}${m[3] ? '>' : ''}${m[4] ?? ''}` : undefined;
}

export function isNumeric(t: Type): boolean {
  return t.kind === 'int' || t.kind === 'decimal';
}

/** Can a value of type `from` be used where `to` is expected (ignoring nullability)? */
export function assignable(from: Type, to: Type): boolean {
  if (to.kind === 'any' || from.kind === 'any' || from.kind === 'null') return true;
  if (from.kind === to.kind) {
    if (from.kind === 'list' || from.kind === 'map') return assignable(from.element ?? T.any, to.element ?? T.any);
    return true;
  }
  // The only implicit conversions: int widens to decimal, date widens to datetime.
  if (from.kind === 'int' && to.kind === 'decimal') return true;
  if (from.kind === 'date' && to.kind === 'datetime') return true;
  return false;
}

/** The common type of two branches (case/coalesce/if), or undefined when they do not meet. */
export function unify(a: Type, b: Type): Type | undefined {
  const n = a.nullable || b.nullable;
  if (a.kind === 'null') return nullable(b, true);
  if (b.kind === 'null') return nullable(a, true);
  if (a.kind === 'any') return nullable(b, n);
  if (b.kind === 'any') return nullable(a, n);
  if (a.kind === b.kind) {
    if (a.kind === 'list') {
      const el = unify(a.element ?? T.any, b.element ?? T.any);
      return el ? { kind: 'list', element: el, nullable: n } : undefined;
    }
    return nullable(a, n);
  }
  if (isNumeric(a) && isNumeric(b)) return { kind: 'decimal', nullable: n };
  if ((a.kind === 'date' && b.kind === 'datetime') || (a.kind === 'datetime' && b.kind === 'date')) return { kind: 'datetime', nullable: n };
  return undefined;
}

/** Whether values of the two types can be compared with = < and friends. */
export function comparable(a: Type, b: Type): boolean {
  return unify(nullable(a, false), nullable(b, false)) !== undefined && a.kind !== 'list' && b.kind !== 'list';
}
