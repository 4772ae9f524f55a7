// The records-transfer registry: the districts that may exchange records (code, name, service
// URL, signing and encryption public keys), in a JWS signed by the registry operator. A district
// trusts only a registry whose signing key has the thumbprint it pinned.
import { compactVerify, CompactSign, decodeProtectedHeader, EmbeddedJWK, type JWK } from 'jose';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { httpsRequest } from '../http/https-request.js';
import { privateKey, SIGNING_ALG, thumbprintOf } from './transfer-keys.js';

export interface DistrictEntry {
  /** The district's unique authorisation code (e.g. its CDS code). */
  code: string;
  name: string;
  /** Base HTTPS address of the district's `sisflow transfer serve`. */
  url: string;
  signing_key: JWK;
  encryption_key: JWK;
  /** A revoked district is refused in both directions. */
  revoked?: boolean;
}

export interface RegistryDocument {
  registry: 'sisflow-records-transfer';
  issued: string;
  districts: DistrictEntry[];
}

export const REGISTRY_TYPE = 'sisflow-registry+jws';

export class RegistryError extends Error {}

export class Registry {
  private readonly byCode: Map<string, DistrictEntry>;
  constructor(readonly document: RegistryDocument) {
    this.byCode = new Map(document.districts.map((d) => [d.code, d]));
  }

  /** The district's entry; refused when missing or revoked. */
  district(code: unknown, role: string): DistrictEntry {
    const d = typeof code === 'string' ? this.byCode.get(code) : undefined;
    if (!d) throw new RegistryError(`${role} district ${JSON.stringify(code)} is not in the registry`);
    if (d.revoked) throw new RegistryError(`${role} district ${d.code} (${d.name}) is revoked in the registry`);
    return d;
  }
}

/** Signs a registry document with the operator's private key (a JWK as JSON text). */
export async function signRegistry(doc: RegistryDocument, operatorKeyText: string): Promise<string> {
  const { key } = await privateKey(operatorKeyText, 'the operator key', SIGNING_ALG);
  const jwk = JSON.parse(operatorKeyText) as JWK;
  const { d: _d, ...pub } = jwk;
  const checked = checkDocument(doc);
  return new CompactSign(new TextEncoder().encode(JSON.stringify(checked))).setProtectedHeader({ alg: SIGNING_ALG, typ: REGISTRY_TYPE, jwk: { kty: pub.kty!, crv: pub.crv!, x: pub.x!, y: pub.y! } }).sign(key);
}

/** Verifies a signed registry against the pinned operator key thumbprint. */
export async function verifyRegistry(jws: string, pinnedThumbprint: string): Promise<Registry> {
  let header;
  try {
    header = decodeProtectedHeader(jws.trim());
  } catch {
    throw new RegistryError('the registry is not a signed registry document (JWS)');
  }
  if (header.typ !== REGISTRY_TYPE || header.alg !== SIGNING_ALG || !header.jwk) throw new RegistryError('the registry is not a signed sisflow registry');
  const thumbprint = await thumbprintOf(header.jwk);
  if (thumbprint !== pinnedThumbprint) throw new RegistryError(`the registry is signed by key ${thumbprint}, not by the pinned operator key ${pinnedThumbprint}`);
  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(jws.trim(), EmbeddedJWK, { algorithms: [SIGNING_ALG] }));
  } catch {
    throw new RegistryError('the registry signature does not verify');
  }
  return new Registry(checkDocument(JSON.parse(new TextDecoder().decode(payload)) as RegistryDocument));
}

function checkDocument(doc: RegistryDocument): RegistryDocument {
  if (doc?.registry !== 'sisflow-records-transfer' || !Array.isArray(doc.districts)) throw new RegistryError('the registry document has no `districts` list');
  const seen = new Set<string>();
  for (const d of doc.districts) {
    if (typeof d.code !== 'string' || !/^[A-Za-z0-9-]{1,20}$/.test(d.code)) throw new RegistryError(`registry entry ${JSON.stringify(d.code)}: the code must be 1–20 letters, digits or dashes`);
    if (seen.has(d.code)) throw new RegistryError(`registry entry ${d.code} appears twice`);
    seen.add(d.code);
    if (typeof d.url !== 'string' || !d.url.startsWith('https://')) throw new RegistryError(`registry entry ${d.code}: the service URL must be https://`);
    for (const k of ['signing_key', 'encryption_key'] as const) {
      if (!d[k] || d[k].kty !== 'EC' || d[k].d !== undefined) throw new RegistryError(`registry entry ${d.code}: ${k} must be a public EC key`);
    }
  }
  return doc;
}

/** Reads a signed registry from a file (relative to `baseDir`) or an https:// address, and verifies it. */
export async function loadRegistry(location: string, pinnedThumbprint: string, o: { baseDir: string; ca?: string; signal?: AbortSignal }): Promise<Registry> {
  let text: string;
  if (location.startsWith('https://')) {
    const res = await httpsRequest(location, { timeoutMs: 30_000, signal: o.signal ?? new AbortController().signal, ...(o.ca ? { ca: o.ca } : {}) });
    if (res.status !== 200) throw new RegistryError(`the registry at ${location} answered ${res.status}`);
    text = res.body;
  } else if (/^[a-z]+:\/\//i.test(location)) {
    throw new RegistryError(`the registry must be a file or an https:// address, not ${location}`);
  } else {
    const path = resolve(o.baseDir, location);
    text = await readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => {
      throw new RegistryError(`cannot read the registry ${path}: ${e.code ?? e.message}`);
    });
  }
  return verifyRegistry(text, pinnedThumbprint);
}
