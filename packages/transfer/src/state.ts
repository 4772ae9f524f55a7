// A district's transfer state, in one SQLite file shared by the service and the commands:
// requests it received (awaiting a decision), requests it made (awaiting or holding a package),
// and the nonces of messages already accepted (replay protection). Pending packages themselves
// are files beside it, kept exactly as they arrived (encrypted).
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';

export type MatchKind = 'ssid' | 'prior-id' | 'name-birth-date' | 'none';

export interface StudentIdentity {
  ssid?: string | null;
  last_name: string;
  first_name: string;
  birth_date: string;
  prior_id?: string | null;
}

export interface IncomingRequest {
  id: string;
  from_code: string;
  received_at: string;
  student: StudentIdentity;
  match_id: number | null;
  match_kind: MatchKind;
  status: 'pending' | 'denied' | 'approved' | 'sent' | 'failed';
  reason: string | null;
  package_sha256: string | null;
}

export interface OutgoingRequest {
  id: string;
  to_code: string;
  student_id: number;
  created_at: string;
  status: 'sending' | 'sent' | 'refused' | 'received' | 'imported' | 'expired';
  reason: string | null;
  package_file: string | null;
  package_sha256: string | null;
  received_at: string | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS incoming (id TEXT PRIMARY KEY, from_code TEXT NOT NULL, received_at TEXT NOT NULL, student TEXT NOT NULL,
  match_id INTEGER, match_kind TEXT NOT NULL, status TEXT NOT NULL, reason TEXT, package_sha256 TEXT);
CREATE TABLE IF NOT EXISTS outgoing (id TEXT PRIMARY KEY, to_code TEXT NOT NULL, student_id INTEGER NOT NULL, created_at TEXT NOT NULL,
  status TEXT NOT NULL, reason TEXT, package_file TEXT, package_sha256 TEXT, received_at TEXT);
CREATE TABLE IF NOT EXISTS nonces (jti TEXT PRIMARY KEY, from_code TEXT NOT NULL, expires INTEGER NOT NULL);
`;

export class TransferStore {
  private readonly db: BetterSqlite3.Database;
  readonly packagesDir: string;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.packagesDir = join(dir, 'packages');
    mkdirSync(this.packagesDir, { recursive: true, mode: 0o700 });
    const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
    this.db = new Database(join(dir, 'transfer.db'));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 10000');
    this.db.exec(SCHEMA);
  }

  close(): void {
    this.db.close();
  }

  /** Records a message's nonce; false when it was seen before (a replay). Expired nonces are dropped. */
  acceptNonce(jti: string, from: string, expires: number, now: number): boolean {
    this.db.prepare('DELETE FROM nonces WHERE expires < ?').run(now);
    return this.db.prepare('INSERT OR IGNORE INTO nonces (jti, from_code, expires) VALUES (?, ?, ?)').run(jti, from, expires).changes === 1;
  }

  addIncoming(r: Omit<IncomingRequest, 'status' | 'reason' | 'package_sha256'>): boolean {
    return (
      this.db
        .prepare('INSERT OR IGNORE INTO incoming (id, from_code, received_at, student, match_id, match_kind, status) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(r.id, r.from_code, r.received_at, JSON.stringify(r.student), r.match_id, r.match_kind, 'pending').changes === 1
    );
  }

  incoming(id: string): IncomingRequest | undefined {
    const row = this.db.prepare('SELECT * FROM incoming WHERE id = ?').get(id) as (Omit<IncomingRequest, 'student'> & { student: string }) | undefined;
    return row ? { ...row, student: JSON.parse(row.student) as StudentIdentity } : undefined;
  }

  listIncoming(): IncomingRequest[] {
    return (this.db.prepare('SELECT * FROM incoming ORDER BY received_at, id').all() as (Omit<IncomingRequest, 'student'> & { student: string })[]).map((r) => ({ ...r, student: JSON.parse(r.student) as StudentIdentity }));
  }

  /** Moves a received request from one status to another; false when it was not in `from` (decided meanwhile). */
  decideIncoming(id: string, from: IncomingRequest['status'][], to: IncomingRequest['status'], fields: { reason?: string | null; match_id?: number; package_sha256?: string } = {}): boolean {
    const r = this.db
      .prepare(`UPDATE incoming SET status = ?, reason = coalesce(?, reason), match_id = coalesce(?, match_id), package_sha256 = coalesce(?, package_sha256) WHERE id = ? AND status IN (${from.map(() => '?').join(', ')})`)
      .run(to, fields.reason ?? null, fields.match_id ?? null, fields.package_sha256 ?? null, id, ...from);
    return r.changes === 1;
  }

  addOutgoing(r: Pick<OutgoingRequest, 'id' | 'to_code' | 'student_id' | 'created_at'>): void {
    this.db.prepare("INSERT INTO outgoing (id, to_code, student_id, created_at, status) VALUES (?, ?, ?, ?, 'sending')").run(r.id, r.to_code, r.student_id, r.created_at);
  }

  outgoing(id: string): OutgoingRequest | undefined {
    return this.db.prepare('SELECT * FROM outgoing WHERE id = ?').get(id) as OutgoingRequest | undefined;
  }

  listOutgoing(): OutgoingRequest[] {
    return this.db.prepare('SELECT * FROM outgoing ORDER BY created_at, id').all() as OutgoingRequest[];
  }

  updateOutgoing(id: string, from: OutgoingRequest['status'][], to: OutgoingRequest['status'], fields: Partial<Pick<OutgoingRequest, 'reason' | 'package_file' | 'package_sha256' | 'received_at'>> = {}): boolean {
    const r = this.db
      .prepare(
        `UPDATE outgoing SET status = ?, reason = coalesce(?, reason), package_file = coalesce(?, package_file), package_sha256 = coalesce(?, package_sha256), received_at = coalesce(?, received_at) WHERE id = ? AND status IN (${from.map(() => '?').join(', ')})`,
      )
      .run(to, fields.reason ?? null, fields.package_file ?? null, fields.package_sha256 ?? null, fields.received_at ?? null, id, ...from);
    return r.changes === 1;
  }
}
