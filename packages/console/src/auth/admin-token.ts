// The admin token, read from the project's secrets on each use (a rotated secret file takes
// effect without a restart).
import type { SecretSource } from '@sisflow/core';
import { ADMIN_TOKEN_SECRET } from '../console-options.js';

export function adminToken(secrets: SecretSource): string | undefined {
  try {
    const t = secrets.secret(ADMIN_TOKEN_SECRET);
    return t && t.length > 0 ? t : undefined;
  } catch {
    // Given twice with different values: no token rather than a guess; `sisflow doctor` says why.
    return undefined;
  }
}
