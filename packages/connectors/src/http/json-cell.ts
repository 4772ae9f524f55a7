// Values of JSON records (API answers) into the declared column types: numbers as numbers or text,
// dates as `2017-04-02` or `2017-04-02T00:00:00…`, lists from arrays. A value that does not fit
// throws RowError, so the record goes to rejects with the reason.
import { RowError, cellParser, parseTypeName, type Type } from '@sisflow/core';

export function jsonCell(typeName: string): (v: unknown) => unknown {
  return converter(parseTypeName(typeName)!);
}

function converter(type: Type): (v: unknown) => unknown {
  if (type.kind === 'list') {
    const element = converter({ ...type.element!, nullable: false });
    return (v) => {
      if (v === null || v === undefined) return type.nullable ? null : [];
      if (!Array.isArray(v)) throw new RowError(`is ${typeof v}, not a list`);
      return v.map(element);
    };
  }
  const fromText = cellParser(type);
  return (v) => {
    if (v === null || v === undefined) return type.nullable ? null : fromText('');
    if (typeof v === 'object') throw new RowError(`is ${Array.isArray(v) ? 'a list' : 'an object'}, not a single value`);
    if (typeof v === 'boolean' && type.kind === 'bool') return v;
    if (typeof v === 'number' && (type.kind === 'int' || type.kind === 'decimal')) return fromText(String(v));
    if (typeof v === 'string' && type.kind === 'date') return fromText(v.slice(0, 10));
    if (typeof v === 'string' && type.kind === 'datetime') return fromText(v.slice(0, 19));
    return fromText(String(v));
  };
}
