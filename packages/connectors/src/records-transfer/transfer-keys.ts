// A district's (or the registry operator's) key pairs for records transfer, as JSON Web Keys:
// an ES256 signing key and an ECDH-ES (P-256) encryption key. Generated and used through `jose`;
// a key is named by its RFC 7638 thumbprint, which the registry and every message header carry.
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';

export const SIGNING_ALG = 'ES256';
export const KEY_WRAP_ALG = 'ECDH-ES+A256KW';
export const CONTENT_ENC = 'A256GCM';

export interface KeyPair {
  /** The private key as a JWK (with `d`): a secret, kept in the secrets folder. */
  privateJwk: JWK;
  /** The public half, for the registry. */
  publicJwk: JWK;
  /** RFC 7638 thumbprint of the public key (base64url SHA-256). */
  thumbprint: string;
}

async function pair(alg: string, use: 'sig' | 'enc'): Promise<KeyPair> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, crv: 'P-256' });
  const publicJwk = { ...(await exportJWK(publicKey)), use, alg };
  const thumbprint = await calculateJwkThumbprint(publicJwk);
  return { privateJwk: { ...(await exportJWK(privateKey)), use, alg, kid: thumbprint }, publicJwk: { ...publicJwk, kid: thumbprint }, thumbprint };
}

export const newSigningKey = () => pair(SIGNING_ALG, 'sig');
export const newEncryptionKey = () => pair(KEY_WRAP_ALG, 'enc');

export class KeyError extends Error {}

/** A key from a secret's text (a JWK as JSON); the error never repeats the text. */
export async function privateKey(text: string, what: string, alg: string): Promise<{ key: CryptoKey; thumbprint: string }> {
  let jwk: JWK;
  try {
    jwk = JSON.parse(text) as JWK;
  } catch {
    throw new KeyError(`${what} is not a JSON Web Key (create one with \`sisflow transfer keys\`)`);
  }
  if (typeof jwk.d !== 'string' || jwk.kty !== 'EC' || jwk.crv !== 'P-256') throw new KeyError(`${what} is not a private P-256 key (create one with \`sisflow transfer keys\`)`);
  const { d: _d, ...pub } = jwk;
  const thumbprint = await calculateJwkThumbprint(pub);
  return { key: (await importJWK({ ...jwk, alg }, alg)) as CryptoKey, thumbprint };
}

export async function publicKey(jwk: JWK, alg: string): Promise<CryptoKey> {
  const { d: _d, ...pub } = jwk;
  return (await importJWK({ ...pub, alg }, alg)) as CryptoKey;
}

export async function thumbprintOf(jwk: JWK): Promise<string> {
  const { d: _d, ...pub } = jwk;
  return calculateJwkThumbprint(pub);
}
