// The audit log: one JSON line per request, decision, delivery and import — who, when, which
// district, which student (IDs only) and the package's hash. Never record contents, never keys.
import { appendFileSync, mkdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';

export interface AuditEntry {
  event:
    | 'request-sent'
    | 'request-received'
    | 'request-refused'
    | 'approved'
    | 'denied'
    | 'package-sent'
    | 'send-failed'
    | 'package-received'
    | 'package-refused'
    | 'reviewed'
    | 'imported'
    | 'import-failed'
    | 'expired';
  /** A person (the operating-system user who ran the command) or `district CODE` for the network. */
  by: string;
  request?: string;
  /** The other district. */
  district?: string;
  /** The student as this district knows them (permanent ID), and the SSID the request named. */
  student?: number | null;
  ssid?: string;
  /** SHA-256 of the envelope as sent or received. */
  package_sha256?: string;
  /** Why something was refused or failed (no contents). */
  reason?: string;
  rows?: number;
  remote?: string;
}

export class AuditLog {
  readonly path: string;
  constructor(stateDir: string, private readonly clock: () => Date = () => new Date()) {
    mkdirSync(stateDir, { recursive: true });
    this.path = join(stateDir, 'audit.log');
  }

  write(entry: AuditEntry): void {
    const line = JSON.stringify({ at: this.clock().toISOString(), ...entry });
    appendFileSync(this.path, `${line}\n`, { mode: 0o600 });
  }
}

/** The person running a command, for the audit log. */
export function operator(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
