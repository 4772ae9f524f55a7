// `${env:NAME}` and `${secret:NAME}` references: their syntax, and secrets never written in clear text.

export const REFERENCE = /\$\{(env|secret):([A-Za-z_][A-Za-z0-9_]*)\}/g;
const ANY_REFERENCE = /\$\{([^}]*)\}?/g;

export interface Reference {
  kind: 'env' | 'secret';
  name: string;
}

/** References in a text, or the malformed piece when one is not of the two forms. */
export function scanReferences(text: string): { refs: Reference[]; malformed?: string } {
  const refs: Reference[] = [];
  for (const m of text.matchAll(ANY_REFERENCE)) {
    const ok = /^(env|secret):[A-Za-z_][A-Za-z0-9_]*$/.exec(m[1] ?? '');
    if (!ok || !m[0].endsWith('}')) return { refs, malformed: m[0] };
    const [kind, name] = m[1]!.split(':') as ['env' | 'secret', string];
    refs.push({ kind, name });
  }
  return { refs };
}

export function isReferenceOnly(text: string): boolean {
  return /^\$\{(env|secret):[A-Za-z_][A-Za-z0-9_]*\}$/.test(text);
}
