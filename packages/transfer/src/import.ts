// Importing a reviewed package (`sisflow transfer import`): the receive spec runs for real — all
// tables in one transaction, or nothing — and the package is deleted once imported. Expired
// packages (never imported) are deleted too; the audit log keeps their hashes.
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { RunReport } from '@sisflow/core';
import { operator } from './audit.js';
import type { District } from './district.js';
import { receivedRequest, receiveParams } from './review.js';

export async function importPackage(district: District, id: string, signal?: AbortSignal): Promise<RunReport> {
  const r = receivedRequest(district, id);
  const { report } = await district.runSpec(district.config.receiveSpec, receiveParams(r), signal ? { signal } : {});
  const rows = Object.values(report.outputs).reduce((n, o) => n + o.rows, 0);
  if (!report.ok) {
    const why = report.error ?? 'the import failed';
    district.audit.write({ event: 'import-failed', by: operator(), request: id, district: r.to_code, student: r.student_id, ...(r.package_sha256 ? { package_sha256: r.package_sha256 } : {}), reason: why });
    throw Object.assign(new Error(`nothing was imported for request ${id}: ${why}`), { report });
  }
  district.store.updateOutgoing(id, ['received'], 'imported');
  rmSync(r.package_file, { force: true });
  district.audit.write({ event: 'imported', by: operator(), request: id, district: r.to_code, student: r.student_id, rows, ...(r.package_sha256 ? { package_sha256: r.package_sha256 } : {}) });
  return report;
}

/** Deletes packages that waited longer than the configured days; returns the requests expired. */
export function expirePackages(district: District): string[] {
  const cutoff = district.clock().getTime() - district.config.limits.packageDays * 86_400_000;
  const expired: string[] = [];
  for (const r of district.store.listOutgoing()) {
    if (r.status !== 'received' || !r.received_at || Date.parse(r.received_at) > cutoff) continue;
    if (r.package_file) rmSync(r.package_file, { force: true });
    if (district.store.updateOutgoing(r.id, ['received'], 'expired')) {
      expired.push(r.id);
      district.audit.write({ event: 'expired', by: 'sisflow', request: r.id, district: r.to_code, student: r.student_id, ...(r.package_sha256 ? { package_sha256: r.package_sha256 } : {}) });
    }
  }
  // Leftovers of an interrupted write (an hour old: not one being written now) hold nothing anyone imports.
  for (const name of readdirSync(district.store.packagesDir)) {
    const path = join(district.store.packagesDir, name);
    if (name.endsWith('.tmp') && statSync(path).mtimeMs < district.clock().getTime() - 3_600_000) rmSync(path, { force: true });
  }
  return expired;
}
