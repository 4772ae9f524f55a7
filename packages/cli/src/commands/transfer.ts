// `sisflow transfer …`: district-to-district records transfer — keys, the registry, requests,
// approvals, review, import and the HTTPS service. A thin shell over @sisflow/transfer: every
// command reads the district's transfer.yaml and its keys from the secrets folder.
import { readFileSync, writeFileSync } from 'node:fs';
import { EXIT, environmentSecrets, printFailure, type JsonFlag, type Out } from '../io.js';

type Transfer = typeof import('@sisflow/transfer');

async function withDistrict(configFile: string, flags: JsonFlag, out: Out, work: (t: Transfer, d: InstanceType<Transfer['District']>) => Promise<number>, signal?: AbortSignal): Promise<number> {
  const t = await import('@sisflow/transfer');
  let district;
  try {
    district = new t.District(t.loadTransferConfig(configFile), { secrets: environmentSecrets(), log: (l) => out.stderr(`  ${l}`) });
  } catch (e) {
    if (!(e instanceof t.ConfigError)) throw e;
    printFailure(out, flags, { diagnostics: e.diagnostics, file: e.source?.file ?? configFile, ...(e.source ? { source: e.source } : {}) });
    return EXIT.failed;
  }
  try {
    return await work(t, district);
  } catch (e) {
    printFailure(out, flags, { message: `error: ${(e as Error).message}` });
    return signal?.aborted ? EXIT.cancelled : EXIT.failed;
  } finally {
    district.close();
  }
}

export async function transferKeys(flags: JsonFlag & { secrets: string; district?: string; name?: string; url?: string; operator?: boolean; force?: boolean }, out: Out): Promise<number> {
  const t = await import('@sisflow/transfer');
  try {
    if (flags.operator) {
      const k = await t.createOperatorKey(flags.secrets, !!flags.force);
      out.stderr(`operator key written to ${k.file} (keep it offline; it signs the registry)`);
      out.stderr('districts pin this thumbprint as operator_key in their transfer.yaml:');
      out.stdout(flags.json ? JSON.stringify({ ok: true, operator_key: k.thumbprint, file: k.file }, null, 2) : k.thumbprint);
      return EXIT.ok;
    }
    if (!flags.district || !flags.url) {
      printFailure(out, flags, { message: 'error: --district CODE and --url https://… are required (or --operator for the registry operator key)' });
      return EXIT.usage;
    }
    const r = await t.createDistrictKeys(flags.secrets, { code: flags.district, name: flags.name ?? flags.district, url: flags.url }, !!flags.force);
    for (const f of r.files) out.stderr(`private key written to ${f}`);
    out.stderr("send this registry entry (public keys only) to the registry operator:");
    out.stdout(JSON.stringify(flags.json ? { ok: true, entry: r.entry, files: r.files } : r.entry, null, 2));
    return EXIT.ok;
  } catch (e) {
    printFailure(out, flags, { message: `error: ${(e as Error).message}` });
    return EXIT.failed;
  }
}

export async function transferSignRegistry(file: string, flags: JsonFlag & { key: string; out?: string }, out: Out): Promise<number> {
  const t = await import('@sisflow/transfer');
  try {
    const jws = await t.signRegistryFile(file, readFileSync(flags.key, 'utf8').trim());
    if (flags.out) writeFileSync(flags.out, `${jws}\n`);
    if (flags.json) out.stdout(JSON.stringify({ ok: true, ...(flags.out ? { file: flags.out } : { registry: jws }) }, null, 2));
    else if (flags.out) out.stdout(`registry signed → ${flags.out}`);
    else {
      out.stdout(jws);
      out.stderr('registry signed');
    }
    return EXIT.ok;
  } catch (e) {
    printFailure(out, flags, { message: `error: ${(e as Error).message}` });
    return EXIT.failed;
  }
}

export function transferRequest(flags: JsonFlag & { config: string; from: string; student: string; ssid?: string; lastName?: string; firstName?: string; birthDate?: string; priorId?: string }, out: Out, signal?: AbortSignal): Promise<number> {
  return withDistrict(flags.config, flags, out, async (t, d) => {
    const studentId = Number(flags.student);
    if (!Number.isInteger(studentId)) {
      printFailure(out, flags, { message: `error: --student needs this district's permanent student ID, not "${flags.student}"` });
      return EXIT.usage;
    }
    const r = await t.sendRequest(d, { from: flags.from, studentId, student: { ssid: flags.ssid, last_name: flags.lastName, first_name: flags.firstName, birth_date: flags.birthDate, prior_id: flags.priorId } }, signal);
    out.stdout(flags.json ? JSON.stringify({ ok: true, request: r.id, to: flags.from }, null, 2) : r.id);
    out.stderr(`request ${r.id} sent to district ${flags.from}; its package arrives once they approve`);
    return EXIT.ok;
  }, signal);
}

export function transferList(flags: { config: string; json?: boolean }, out: Out): Promise<number> {
  return withDistrict(flags.config, flags, out, async (t, d) => {
    const expired = t.expirePackages(d);
    const incoming = d.store.listIncoming();
    const outgoing = d.store.listOutgoing();
    if (flags.json) {
      out.stdout(JSON.stringify({ received: incoming.map(({ student: _s, ...r }) => r), sent: outgoing, expired }, null, 2));
      return EXIT.ok;
    }
    out.stdout(`requests received (from other districts): ${incoming.length}`);
    for (const r of incoming) {
      const match = r.match_id === null ? 'no match: approve with --student ID' : `student ${r.match_id} by ${r.match_kind}${r.match_kind === 'name-birth-date' ? ' (confirm: --confirm-match)' : ''}`;
      out.stdout(`  ${r.id}  ${r.status.padEnd(8)} from ${r.from_code}  ${r.received_at}  ${r.student.last_name}, ${r.student.first_name} (${r.student.birth_date}${r.student.ssid ? `, SSID ${r.student.ssid}` : ''}) → ${match}${r.reason ? `  [${r.reason}]` : ''}`);
    }
    out.stdout(`requests made (to prior districts): ${outgoing.length}`);
    for (const r of outgoing) out.stdout(`  ${r.id}  ${r.status.padEnd(8)} to ${r.to_code}  student ${r.student_id}  ${r.created_at}${r.status === 'received' ? '  → review: sisflow transfer show ID' : ''}${r.reason ? `  [${r.reason}]` : ''}`);
    for (const id of expired) out.stderr(`expired: the package of request ${id} waited longer than ${d.config.limits.packageDays} days and was deleted`);
    return EXIT.ok;
  });
}

export function transferApprove(id: string, flags: JsonFlag & { config: string; student?: string; confirmMatch?: boolean }, out: Out, signal?: AbortSignal): Promise<number> {
  return withDistrict(flags.config, flags, out, async (t, d) => {
    const a = await t.approveRequest(d, id, { ...(flags.student !== undefined ? { student: Number(flags.student) } : {}), ...(flags.confirmMatch ? { confirmMatch: true } : {}), ...(signal ? { signal } : {}) });
    if (flags.json) out.stdout(JSON.stringify({ ok: true, request: id, decision: 'approved', student: a.student, records: a.rows, to: a.request.from_code, ...(a.packageSha256 ? { package_sha256: a.packageSha256 } : {}) }, null, 2));
    else out.stdout(`request ${id} approved: ${a.rows} record(s) of student ${a.student} sent to district ${a.request.from_code}${a.packageSha256 ? ` (package sha256 ${a.packageSha256})` : ''}`);
    return EXIT.ok;
  }, signal);
}

export function transferDeny(id: string, flags: JsonFlag & { config: string; reason: string }, out: Out): Promise<number> {
  return withDistrict(flags.config, flags, out, async (t, d) => {
    t.denyRequest(d, id, flags.reason);
    out.stdout(flags.json ? JSON.stringify({ ok: true, request: id, decision: 'denied', reason: flags.reason }, null, 2) : `request ${id} denied`);
    return EXIT.ok;
  });
}

export function transferShow(id: string, flags: { config: string; json?: boolean }, out: Out, signal?: AbortSignal): Promise<number> {
  return withDistrict(flags.config, flags, out, async (t, d) => {
    const r = await t.reviewPackage(d, id, signal);
    if (flags.json) {
      out.stdout(JSON.stringify(r, null, 2));
      return r.rejects.length ? EXIT.failed : EXIT.ok;
    }
    out.stdout(`package for request ${id} from district ${r.request.to_code}, student ${r.request.student_id} (sha256 ${r.request.package_sha256 ?? '?'})`);
    for (const [table, c] of Object.entries(r.counts)) out.stdout(`  ${table}: ${c.new} new, ${c.same} same, ${c.different} different`);
    for (const rec of r.records) {
      if (rec.status === 'same') continue;
      out.stdout(`  ${rec.status.padEnd(9)} ${rec.table} ${JSON.stringify(rec.key)}`);
      for (const ch of rec.changes ?? []) out.stdout(`              ${ch.column}: ${JSON.stringify(ch.here)} here → ${JSON.stringify(ch.received)} received`);
    }
    for (const j of r.rejects) out.stdout(`  reject   ${j.step} (record ${j.line}): ${j.reason}`);
    out.stderr(r.rejects.length ? `${r.rejects.length} record(s) cannot be mapped: fix the code mapping, then import (nothing is imported while any remain)` : `to import: sisflow transfer import ${id}`);
    return r.rejects.length ? EXIT.failed : EXIT.ok;
  }, signal);
}

export function transferImport(id: string, flags: JsonFlag & { config: string }, out: Out, signal?: AbortSignal): Promise<number> {
  return withDistrict(flags.config, flags, out, async (t, d) => {
    const report = await t.importPackage(d, id, signal);
    const changes = Object.values(report.outputs).flatMap((o) => Object.entries(o.changes ?? {}).map(([table, c]) => ({ table, inserted: c.inserted, updated: c.updated })));
    if (flags.json) {
      out.stdout(JSON.stringify({ ok: true, request: id, imported: changes }, null, 2));
      return EXIT.ok;
    }
    for (const c of changes) out.stdout(`  ${c.table}: ${c.inserted} inserted, ${c.updated} updated`);
    out.stdout(`request ${id}: imported; the package was deleted`);
    return EXIT.ok;
  }, signal);
}

export function transferServe(flags: JsonFlag & { config: string }, out: Out, signal?: AbortSignal): Promise<number> {
  return withDistrict(flags.config, flags, out, async (t, d) => {
    const service = await t.serve(d);
    if (flags.json) out.stdout(JSON.stringify({ ok: true, district: d.code, url: service.url, audit: d.audit.path }));
    out.stderr(`district ${d.code}: records-transfer service on ${service.url} (TLS 1.2+); audit log ${d.audit.path}`);
    await new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      signal?.addEventListener('abort', () => resolve(), { once: true });
      process.once('SIGTERM', () => resolve());
    });
    await service.close();
    out.stderr('service stopped');
    return EXIT.ok;
  }, signal);
}
