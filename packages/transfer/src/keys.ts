// `sisflow transfer keys`: a district's key pair files (private halves in the secrets folder,
// readable by the owner only) and the public registry entry to give the registry operator; the
// operator's own key and signing the registry document.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newEncryptionKey, newSigningKey, signRegistry, type DistrictEntry, type RegistryDocument } from '@sisflow/connectors/records-transfer';
import { ENCRYPTION_KEY_SECRET, SIGNING_KEY_SECRET } from './district.js';

export const OPERATOR_KEY_SECRET = 'transfer_operator_key';

function writeSecret(dir: string, name: string, text: string, force: boolean): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, name);
  if (existsSync(path) && !force) throw new Error(`${path} exists: a district keeps its keys (registered keys are what others trust); use --force to replace them, then re-register`);
  writeFileSync(path, `${text}\n`, { mode: 0o600 });
  return path;
}

/** Creates a district's signing and encryption keys in `secretsDir`; returns its registry entry. */
export async function createDistrictKeys(secretsDir: string, entry: { code: string; name: string; url: string }, force = false): Promise<{ entry: DistrictEntry; files: string[] }> {
  if (!/^[A-Za-z0-9-]{1,20}$/.test(entry.code)) throw new Error('the district code must be 1–20 letters, digits or dashes');
  if (!entry.url.startsWith('https://')) throw new Error('the service URL must start with https://');
  const signing = await newSigningKey();
  const encryption = await newEncryptionKey();
  const files = [writeSecret(secretsDir, SIGNING_KEY_SECRET, JSON.stringify(signing.privateJwk), force), writeSecret(secretsDir, ENCRYPTION_KEY_SECRET, JSON.stringify(encryption.privateJwk), force)];
  return { entry: { code: entry.code, name: entry.name, url: entry.url, signing_key: signing.publicJwk, encryption_key: encryption.publicJwk }, files };
}

/** Creates the registry operator's signing key; returns the thumbprint districts pin. */
export async function createOperatorKey(secretsDir: string, force = false): Promise<{ thumbprint: string; file: string }> {
  const k = await newSigningKey();
  return { thumbprint: k.thumbprint, file: writeSecret(secretsDir, OPERATOR_KEY_SECRET, JSON.stringify(k.privateJwk), force) };
}

/** Signs a registry document (JSON: { districts: [...] }) with the operator key text. */
export async function signRegistryFile(documentPath: string, operatorKeyText: string, issued = new Date()): Promise<string> {
  let doc: Partial<RegistryDocument>;
  try {
    doc = JSON.parse(readFileSync(documentPath, 'utf8')) as Partial<RegistryDocument>;
  } catch (e) {
    throw new Error(`${documentPath}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not JSON (${(e as Error).message})`}`);
  }
  return signRegistry({ registry: 'sisflow-records-transfer', issued: issued.toISOString(), districts: doc.districts ?? [] }, operatorKeyText);
}
