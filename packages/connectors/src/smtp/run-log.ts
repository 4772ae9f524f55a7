// A finished run as the plain-text log an operator or the special-education office reads: when,
// how it went, per file how many rows were matched, unmatched, duplicated or in error, what each
// table gained, and what is attached.
import type { Attachment, RunReport } from '@sisflow/core';

const KINDS = [
  ['unmatched', 'unmatched'],
  ['duplicate', 'duplicate'],
  ['invalid', 'error'],
  ['unreadable', 'unreadable'],
] as const;

export function runStatus(r: RunReport): string {
  return r.ok ? (r.dryRun ? 'dry run' : 'succeeded') : r.cancelled ? 'cancelled' : 'FAILED';
}

export function runLog(r: RunReport, attachments: Attachment[]): string {
  const lines = [
    `${r.name}: ${runStatus(r)}`,
    `Started:  ${r.startedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}`,
    `Duration: ${(r.durationMs / 1000).toFixed(1)} s`,
  ];
  if (r.error) lines.push(`Error:    ${r.error}`);
  lines.push('', 'Records read');
  for (const [name, s] of Object.entries(r.sources)) {
    const by = r.rejects.bySource[name] ?? {};
    const refused = Object.values(by).reduce((a, b) => a + (b ?? 0), 0);
    // Unreadable lines never became rows: they count as records of the file all the same.
    const records = s.rows + (by.unreadable ?? 0);
    if (refused === 0) lines.push(`  ${name}: ${records} read`);
    else lines.push(`  ${name}: ${records} read, ${records - refused} matched, ${KINDS.map(([k, label]) => `${by[k] ?? 0} ${label}`).join(', ')}`);
  }
  const changes = Object.entries(r.outputs).flatMap(([name, o]) =>
    Object.entries(o.changes ?? {}).map(([table, c]) => `  ${table} (${name}): ${c.inserted} inserted, ${c.updated} updated, ${c.deleted} deleted${o.committed ? '' : ' — not committed'}`),
  );
  if (changes.length > 0) lines.push('', 'Tables', ...changes);
  const held = Object.entries(r.held ?? {}).flatMap(([name, h]) =>
    h.all !== undefined
      ? [`  ${name}: all of it — ${h.all}`]
      : h.slices.map((s) => `  ${name}: ${Object.entries(s.slice).map(([c, v]) => `${c} ${String(v)}`).join(', ')} — ${s.reasons.join('; ')}`),
  );
  if (held.length > 0) lines.push('', 'Held, left exactly as they were (a record of theirs was refused)', ...held);
  const files = Object.entries(r.outputs).flatMap(([name, o]) => o.files.map((f) => `  ${name}: ${f.path} (${o.rows} rows)`));
  if (files.length > 0) lines.push('', 'Files written', ...files);
  if (r.rejects.count > 0) {
    lines.push('', `Rejected records: ${r.rejects.count}`);
    for (const j of r.rejects.sample.slice(0, 10)) lines.push(`  ${j.source} line ${j.line} (${j.kind}): ${j.reason}`);
    if (r.rejects.count > 10) lines.push(`  … all of them in the rejects file`);
  }
  if (r.warnings.length > 0) lines.push('', 'Warnings', ...r.warnings.map((w) => `  ${w}`));
  if (attachments.length > 0) lines.push('', 'Attached', ...attachments.map((a) => `  ${a.name}`));
  return lines.join('\n') + '\n';
}
