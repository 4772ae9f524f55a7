// Text cells (CSV files, test fixtures) into typed values, one parser per declared column type.
import { checkIsoDate, checkIsoDatetime, parseDate } from '../expr/dates.js';
import { RowError } from '../expr/row-error.js';
import type { Type } from '../expr/types.js';

export interface CellOptions {
  /** Pattern for dates that are not ISO (`MM/dd/yyyy`); ISO dates are always accepted. */
  dateFormat?: string;
}

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const TRUE = new Set(['true', 't', 'yes', 'y', '1']);
const FALSE = new Set(['false', 'f', 'no', 'n', '0']);

/** A function that turns a cell's text into a value of `type`, or throws RowError saying why it cannot. */
export function cellParser(type: Type, options: CellOptions = {}): (text: string) => unknown {
  const parse = scalarParser(type, options);
  return (text) => {
    if (text.trim() === '' && type.kind !== 'string') {
      if (type.nullable) return null;
      throw new RowError('is empty but must have a value');
    }
    if (text === '' && type.kind === 'string' && type.nullable) return null;
    return parse(text);
  };
}

function scalarParser(type: Type, options: CellOptions): (text: string) => unknown {
  switch (type.kind) {
    case 'int':
      return (t) => {
        const s = t.trim();
        const n = Number(s);
        if (!isIntText(s) || !Number.isSafeInteger(n)) throw new RowError(`'${t}' is not a whole number`);
        return n;
      };
    case 'decimal':
      return (t) => {
        const s = t.trim();
        if (!DECIMAL.test(s)) throw new RowError(`'${t}' is not a number`);
        return Number(s);
      };
    case 'bool':
      return (t) => {
        const s = t.trim().toLowerCase();
        if (TRUE.has(s)) return true;
        if (FALSE.has(s)) return false;
        throw new RowError(`'${t}' is not a yes/no value (true/false, T/F, Y/N, 1/0)`);
      };
    case 'date':
      return (t) => {
        const s = t.trim();
        if (checkIsoDate(s)) return s;
        if (options.dateFormat) return parseDate(s, options.dateFormat).slice(0, 10);
        throw new RowError(`'${t}' is not a date (YYYY-MM-DD)`);
      };
    case 'datetime':
      return (t) => {
        const s = t.trim().replace(' ', 'T');
        if (checkIsoDatetime(s)) return s;
        if (options.dateFormat) return parseDate(t.trim(), options.dateFormat);
        throw new RowError(`'${t}' is not a date and time (YYYY-MM-DDTHH:MM:SS)`);
      };
    default:
      return (t) => t;
  }
}

/**
 * Whether a text is a whole number as written in a file: a sign or none, then ASCII digits
 * (`/^[+-]?\d+$/`, read character by character: an integer column calls it once a row).
 */
export function isIntText(s: string): boolean {
  const first = s.charCodeAt(0);
  let i = first === 43 || first === 45 ? 1 : 0;
  if (i >= s.length) return false;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}
