// Which failures are worth trying again: the other side was briefly unreachable or overloaded
// (connection refused or reset, a timeout, a name that did not resolve, an HTTP 5xx). A wrong
// password, a bad file or a rejects threshold fails the same way the next time.
const TRANSIENT = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|EPIPE|timed? ?out|socket hang up|\b(?:HTTP|status) 5\d\d\b|\b5\d\d (?:Internal Server Error|Bad Gateway|Service Unavailable|Gateway Timeout)/i;

export function isTransient(error: string | undefined): boolean {
  return !!error && TRANSIENT.test(error);
}
