// The texts a secret can leave a process as, worked out here from the bytes (not by the redactor
// under test): as written, JSON-escaped, URL-encoded (both ways), hex in either case, base64 and
// base64url whole and at each of the three offsets it can start at inside a longer base64 text,
// and, given the user it logs in with, `\0user\0password` (SASL PLAIN) and `user:password` (HTTP
// Basic) in each of those forms. A multi-line secret (a key file) adds each long line of it.
export function leakForms(secret: string, user?: string): string[] {
  const forms = new Set<string>();
  const add = (bytes: Buffer) => {
    const text = bytes.toString('utf8');
    forms.add(text);
    forms.add(JSON.stringify(text).slice(1, -1));
    forms.add(encodeURIComponent(text));
    forms.add(new URLSearchParams({ x: text }).toString().slice(2));
    forms.add(bytes.toString('hex'));
    forms.add(bytes.toString('hex').toUpperCase());
    for (let offset = 0; offset < 3; offset++) {
      const b64 = Buffer.concat([Buffer.alloc(offset, 0x41), bytes]).toString('base64').replace(/=+$/, '');
      // Leave out the characters that mix in bytes before or after the secret (and one more each side).
      const inner = b64.slice(offset === 0 ? 0 : 4, -2);
      forms.add(inner);
      forms.add(inner.replaceAll('+', '-').replaceAll('/', '_'));
    }
  };
  add(Buffer.from(secret));
  if (user !== undefined) {
    add(Buffer.from(`\0${user}\0${secret}`));
    add(Buffer.from(`${user}:${secret}`));
  }
  for (const line of secret.split(/\r?\n/)) if (line.length >= 24 && !line.startsWith('-----')) add(Buffer.from(line));
  return [...forms].filter((f) => f.length >= 12);
}
