// The `history: url:` of a project (or `--history URL`): a PostgreSQL URL whose password, if any, is a
// `${secret:NAME}` reference, so the project file (and anything that prints it) never holds it.
import type { DiagnosticCode } from '../diagnostics/codes.js';

export interface HistoryUrlProblem {
  code: DiagnosticCode;
  message: string;
  hint: string;
}

const REFERENCE_ONLY = /^\$\{(secret|env):[A-Za-z_][A-Za-z0-9_]*\}$/;

export function historyUrlProblem(url: string): HistoryUrlProblem | undefined {
  const m = /^(postgres(?:ql)?):\/\/(?:([^:@/]*)(?::([^@/]*))?@)?[^/]*(\/.*)?$/.exec(url);
  if (!m) {
    return { code: 'SF700', message: 'the history URL is not a PostgreSQL URL', hint: 'e.g. `postgres://sisflow:${secret:PG_PASSWORD}@db.example.org:5432/sisflow`; leave `url:` out for the embedded history file' };
  }
  const password = m[3];
  if (password && !REFERENCE_ONLY.test(password)) {
    return { code: 'SF701', message: 'the history URL holds a password in clear text', hint: 'write the password as a reference: `postgres://sisflow:${secret:PG_PASSWORD}@host/db`, and give SISFLOW_SECRET_PG_PASSWORD or a file in SISFLOW_SECRETS_DIR' };
  }
  return undefined;
}
