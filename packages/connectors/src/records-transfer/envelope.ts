// Every records-transfer message (a request, a package) is signed by its sender and then
// encrypted to its recipient: a JWS (ES256) inside a JWE (ECDH-ES+A256KW, A256GCM — a fresh
// content key per message, wrapped for the recipient's public key). Only the recipient's private
// key opens it; the registry says whose signature it must carry. Crypto is `jose`'s, not ours.
import { createHash, randomUUID } from 'node:crypto';
import { compactDecrypt, CompactEncrypt, CompactSign, compactVerify, decodeProtectedHeader, type CryptoKey } from 'jose';
import type { Registry } from './registry.js';
import { CONTENT_ENC, KEY_WRAP_ALG, publicKey, SIGNING_ALG, thumbprintOf } from './transfer-keys.js';

export type MessageType = 'request' | 'package';

/** The claims every message carries (JWT names), besides its body. */
export interface Claims {
  typ: MessageType;
  /** Sender's district code. */
  iss: string;
  /** Recipient's district code. */
  aud: string;
  /** Seconds since 1970 when it was made. */
  iat: number;
  /** A nonce: each message is accepted once. */
  jti: string;
}

export type Message<B> = Claims & B;

export class EnvelopeError extends Error {
  constructor(
    message: string,
    /** What went wrong, for the audit log and the HTTP status: stable words, not prose. */
    readonly reason: 'malformed' | 'not-for-us' | 'unknown-sender' | 'bad-signature' | 'wrong-recipient' | 'stale' | 'wrong-type',
  ) {
    super(message);
  }
}

export interface Sender {
  code: string;
  signingKey: CryptoKey;
  signingKid: string;
}

/** Signs the body as `from` and encrypts it to the recipient's registry entry. */
export async function seal<B extends object>(type: MessageType, body: B, from: Sender, to: { code: string; encryption_key: import('jose').JWK }, now = new Date()): Promise<string> {
  const claims: Claims = { typ: type, iss: from.code, aud: to.code, iat: Math.floor(now.getTime() / 1000), jti: randomUUID() };
  const signed = await new CompactSign(new TextEncoder().encode(JSON.stringify({ ...claims, ...body })))
    .setProtectedHeader({ alg: SIGNING_ALG, kid: from.signingKid, typ: `sisflow-${type}+jws` })
    .sign(from.signingKey);
  const recipientKid = await thumbprintOf(to.encryption_key);
  return new CompactEncrypt(new TextEncoder().encode(signed))
    // iss/aud in the protected header (authenticated, not secret) let a service rate-limit and
    // route before decrypting; the signed claims inside are what counts.
    .setProtectedHeader({ alg: KEY_WRAP_ALG, enc: CONTENT_ENC, kid: recipientKid, cty: `sisflow-${type}+jws`, iss: from.code, aud: to.code })
    .encrypt(await publicKey(to.encryption_key, KEY_WRAP_ALG));
}

export interface Recipient {
  code: string;
  encryptionKey: CryptoKey;
  encryptionKid: string;
}

export interface Opened<B> {
  message: Message<B>;
  /** SHA-256 (hex) of the envelope exactly as received: what the audit log names. */
  hash: string;
}

/** The district an envelope claims to come from, before anything is decrypted (for rate limits). */
export function claimedSender(envelope: string): string | undefined {
  try {
    const h = decodeProtectedHeader(envelope);
    return typeof h.iss === 'string' ? h.iss : undefined;
  } catch {
    return undefined;
  }
}

export const envelopeHash = (envelope: string) => createHash('sha256').update(envelope).digest('hex');

/**
 * Decrypts an envelope with this district's key and verifies the sender's signature against the
 * registry: refused (EnvelopeError) when it is not for this district, the sender is not in the
 * registry or revoked, the signature is not the registered key's, or the claims do not hold.
 */
export async function open<B>(envelope: string, type: MessageType, me: Recipient, registry: Registry, o: { maxAgeSeconds?: number; now?: Date } = {}): Promise<Opened<B>> {
  const text = envelope.trim();
  let header;
  try {
    header = decodeProtectedHeader(text);
  } catch {
    throw new EnvelopeError('the message is not an encrypted sisflow envelope (JWE)', 'malformed');
  }
  if (header.alg !== KEY_WRAP_ALG || header.enc !== CONTENT_ENC) throw new EnvelopeError(`the message uses ${String(header.alg)}/${String(header.enc)}, not ${KEY_WRAP_ALG}/${CONTENT_ENC}`, 'malformed');
  if (header.kid !== me.encryptionKid) throw new EnvelopeError(`the message is encrypted to another key (${String(header.kid)}), not to district ${me.code}'s`, 'not-for-us');
  let inner: string;
  try {
    const { plaintext } = await compactDecrypt(text, me.encryptionKey, { keyManagementAlgorithms: [KEY_WRAP_ALG], contentEncryptionAlgorithms: [CONTENT_ENC] });
    inner = new TextDecoder().decode(plaintext);
  } catch {
    throw new EnvelopeError('the message does not decrypt with this district\'s key: altered in transit or encrypted to another district', 'not-for-us');
  }
  let signedHeader;
  let claimed: Partial<Claims>;
  try {
    signedHeader = decodeProtectedHeader(inner);
    claimed = JSON.parse(Buffer.from(inner.split('.')[1] ?? '', 'base64url').toString('utf8')) as Partial<Claims>;
  } catch {
    throw new EnvelopeError('the decrypted message is not a signed sisflow message (JWS)', 'malformed');
  }
  let sender;
  try {
    sender = registry.district(claimed.iss, 'the sending');
  } catch (e) {
    throw new EnvelopeError((e as Error).message, 'unknown-sender');
  }
  if (header.iss !== claimed.iss) throw new EnvelopeError('the envelope and the signed message name different senders', 'bad-signature');
  const registered = await thumbprintOf(sender.signing_key);
  if (signedHeader.kid !== registered) throw new EnvelopeError(`the message is signed with key ${String(signedHeader.kid)}, not district ${sender.code}'s registered key`, 'bad-signature');
  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(inner, await publicKey(sender.signing_key, SIGNING_ALG), { algorithms: [SIGNING_ALG] }));
  } catch {
    throw new EnvelopeError(`the signature does not verify with district ${sender.code}'s registered key`, 'bad-signature');
  }
  const message = JSON.parse(new TextDecoder().decode(payload)) as Message<B>;
  if (message.typ !== type) throw new EnvelopeError(`expected a ${type}, got a ${String(message.typ)}`, 'wrong-type');
  if (message.aud !== me.code) throw new EnvelopeError(`the message is addressed to district ${String(message.aud)}, not ${me.code}`, 'wrong-recipient');
  if (typeof message.jti !== 'string' || message.jti.length < 16 || typeof message.iat !== 'number') throw new EnvelopeError('the message has no nonce or time', 'malformed');
  if (o.maxAgeSeconds !== undefined) {
    const now = Math.floor((o.now ?? new Date()).getTime() / 1000);
    if (Math.abs(now - message.iat) > o.maxAgeSeconds) throw new EnvelopeError(`the message was made ${now - message.iat} s ago, outside the ${o.maxAgeSeconds} s window`, 'stale');
  }
  return { message, hash: envelopeHash(text) };
}
