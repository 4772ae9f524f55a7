// One district's side of records transfer: its configuration, state, audit log, keys and registry,
// and how it compiles and runs its send and receive specs. The service and every command start here.
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { compile, formatDiagnostics, runPlan, type ConnectorRegistry, type JobPlan, type RunOptions, type RunResult, type SecretSource } from '@sisflow/core';
import { defaultRegistry } from '@sisflow/connectors';
import { KEY_WRAP_ALG, loadRegistry, privateKey, SIGNING_ALG, type Registry } from '@sisflow/connectors/records-transfer';
import { AuditLog } from './audit.js';
import type { TransferConfig } from './config.js';
import { TransferStore } from './state.js';

export interface DistrictOptions {
  /** Where private keys and the specs' secrets come from (the CLI: SISFLOW_SECRET_… / SISFLOW_SECRETS_DIR). */
  secrets: SecretSource;
  connectors?: ConnectorRegistry;
  /** The clock (tests fix it to exercise the replay window). */
  clock?: () => Date;
  log?(line: string): void;
}

export const SIGNING_KEY_SECRET = 'transfer_signing_key';
export const ENCRYPTION_KEY_SECRET = 'transfer_encryption_key';

export class District {
  readonly store: TransferStore;
  readonly audit: AuditLog;
  readonly connectors: ConnectorRegistry;
  readonly clock: () => Date;

  constructor(
    readonly config: TransferConfig,
    readonly options: DistrictOptions,
  ) {
    this.store = new TransferStore(config.state);
    this.clock = options.clock ?? (() => new Date());
    this.audit = new AuditLog(config.state, this.clock);
    this.connectors = options.connectors ?? defaultRegistry();
  }

  get code(): string {
    return this.config.district;
  }

  close(): void {
    this.store.close();
  }

  /** The registry, read and verified against the pinned operator key on every call (revocations apply at once). */
  registry(signal?: AbortSignal): Promise<Registry> {
    return loadRegistry(this.config.registry, this.config.operatorKey, { baseDir: dirname(this.config.file), ...(this.config.ca ? { ca: this.config.ca } : {}), ...(signal ? { signal } : {}) });
  }

  private secret(name: string): string {
    const v = this.options.secrets.secret(name);
    if (v === undefined) throw new Error(`the private key ${name} is missing: set SISFLOW_SECRET_${name}, or put the file ${name} (written by \`sisflow transfer keys\`) in SISFLOW_SECRETS_DIR`);
    return v;
  }

  signingKey() {
    return privateKey(this.secret(SIGNING_KEY_SECRET), 'the signing key', SIGNING_ALG);
  }

  async recipient() {
    const k = await privateKey(this.secret(ENCRYPTION_KEY_SECRET), 'the encryption key', KEY_WRAP_ALG);
    return { code: this.code, encryptionKey: k.key, encryptionKid: k.thumbprint };
  }

  /** What the send and receive specs read as `${env:SISFLOW_TRANSFER_…}`: this configuration. */
  specSecrets(): SecretSource {
    const env: Record<string, string> = { SISFLOW_TRANSFER_REGISTRY: this.config.registry, SISFLOW_TRANSFER_OPERATOR_KEY: this.config.operatorKey, SISFLOW_TRANSFER_CA: this.config.ca ?? '', SISFLOW_TRANSFER_PACKAGES: this.store.packagesDir };
    return { env: (n) => env[n] ?? this.options.secrets.env(n), secret: (n) => this.options.secrets.secret(n) };
  }

  compileSpec(file: string, params: Record<string, string>): JobPlan {
    const text = readFileSync(file);
    const r = compile(text, file, { registry: this.connectors, params: { district: this.code, ...params }, ...(this.config.profile ? { profile: this.config.profile } : {}) });
    if (!r.plan) throw new Error(`${file} does not compile:\n${formatDiagnostics(r.diagnostics, r.source ? { sources: new Map([[file, r.source]]) } : {})}`);
    return r.plan;
  }

  runSpec(file: string, params: Record<string, string>, extra: Partial<RunOptions> = {}): Promise<RunResult> {
    return runPlan(this.compileSpec(file, params), { registry: this.connectors, baseDir: dirname(file), secrets: this.specSecrets(), ...(this.options.log ? { log: this.options.log } : {}), ...extra });
  }
}
