// The Patron Import Converter properties file that tells Destiny's scheduled "Update Patrons" job
// which column of patrons.csv holds which patron field (`field_barcode={2}`: columns count from 1).
// Generated from the output's own columns, so the CSV and its mapping can never disagree.
import type { DescribeContext, RowSchema } from '@sisflow/core';
import { didYouMean } from '@sisflow/core';
import { PATRON_FIELDS, patronField } from './patron-fields.js';

/** The properties text for a CSV with these columns, in their order. */
export function patronProperties(csvName: string, schema: RowSchema): string {
  const lines = [
    `# Destiny Patron Import Converter: how the columns of ${csvName} map to patron fields.`,
    '# Written by sisflow from the same columns as the CSV, and published with it; do not edit.',
    ...schema.map((c, i) => `${patronField(c.name)!.property}={${i + 1}}`),
  ];
  return lines.join('\r\n') + '\r\n';
}

/** Reports the columns that are not Destiny patron fields (the converter could not map them). */
export function checkPatronColumns(ctx: DescribeContext, schema: RowSchema, path: string[]): boolean {
  let ok = true;
  const seen = new Map<string, string>();
  for (const c of schema) {
    const f = patronField(c.name);
    if (!f) {
      ok = false;
      ctx.report('SF470', `column \`${c.name}\` is not a Destiny patron field, so the properties file cannot map it`, path, didYouMean(c.name, PATRON_FIELDS.map((p) => p.column)) ?? 'name the columns as Destiny does (see examples/destiny/README.md), or leave out `destiny_properties`');
      continue;
    }
    const other = seen.get(f.property);
    if (other !== undefined) {
      ok = false;
      ctx.report('SF470', `columns \`${other}\` and \`${c.name}\` are both Destiny's ${f.column}`, path, 'keep one of them');
    }
    seen.set(f.property, c.name);
  }
  return ok;
}
