// What went wrong reaching a server, in words: the address refused, unknown or unreachable, or a
// TLS certificate or protocol the connection will not accept. Shared by the connectors that talk
// to servers through Node's sockets (the HTTPS APIs, SMTP); such a failure is the connection's
// own (core's connectionFailure), so the run names the connection and all that uses it.

export interface NetworkFailure {
  message: string;
  /** Whether waiting may help (a refused or unreachable server may come back; a certificate will not change). */
  retryable: boolean;
}

const UNTRUSTED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REVOKED',
]);

/**
 * `where` is the server as the user wrote it (`aeries.district.org:443`); `trust` says how this
 * connector is told about a private certificate authority. Undefined when the error is not about
 * reaching the server (an HTTP status, a refused recipient): the caller reports that itself.
 */
export function networkFailure(e: unknown, where: string, trust: string): NetworkFailure | undefined {
  const err = e as { code?: unknown; message?: unknown } | undefined;
  const code = typeof err?.code === 'string' ? err.code : '';
  const text = typeof err?.message === 'string' ? err.message : String(e);
  // Some libraries (nodemailer) keep the socket's code only in the message.
  const has = (c: string) => code === c || new RegExp(`\\b${c}\\b`).test(text);
  if (has('ECONNREFUSED')) return { message: `${where} refused the connection (is the server running, and is this its port?)`, retryable: true };
  if (has('ENOTFOUND')) return { message: `${hostOf(where)} is not a known host name (DNS)`, retryable: false };
  if (has('EAI_AGAIN')) return { message: `the host name ${hostOf(where)} could not be looked up (DNS did not answer)`, retryable: true };
  if (has('EHOSTUNREACH') || has('ENETUNREACH')) return { message: `${where} cannot be reached (no route to it from here)`, retryable: true };
  if (has('ETIMEDOUT')) return { message: `${where} did not accept the connection in time`, retryable: true };
  if (code === 'CERT_HAS_EXPIRED' || /certificate has expired/i.test(text)) return { message: `the TLS certificate of ${where} has expired; the server's administrator must renew it`, retryable: false };
  if (code === 'CERT_NOT_YET_VALID') return { message: `the TLS certificate of ${where} is not valid yet (check this machine's clock)`, retryable: false };
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || /altnames|Hostname\/IP does not match/i.test(text)) {
    return { message: `the TLS certificate of ${where} is for another host name (${text.replace(/^Hostname\/IP does not match certificate's altnames: /, '')}); use the name the certificate gives`, retryable: false };
  }
  if (UNTRUSTED.has(code) || /self[- ]signed certificate|unable to (verify|get) .*(certificate|issuer)/i.test(text)) {
    return { message: `the TLS certificate of ${where} is not trusted (${text}); ${trust}`, retryable: false };
  }
  if (/ERR_SSL_(UNSUPPORTED_PROTOCOL|TLSV1_ALERT_PROTOCOL_VERSION|NO_PROTOCOLS_AVAILABLE)|unsupported protocol|protocol version/i.test(`${code} ${text}`)) {
    return { message: `${where} does not offer TLS 1.2 or newer, which sisflow requires`, retryable: false };
  }
  if (/ERR_SSL_WRONG_VERSION_NUMBER|wrong version number|packet length too long/i.test(`${code} ${text}`)) {
    return { message: `${where} did not answer with TLS (a plain-text port?)`, retryable: false };
  }
  return undefined;
}

function hostOf(where: string): string {
  return where.replace(/:\d+$/, '');
}
