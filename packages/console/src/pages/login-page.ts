// Signing in: a name for the audit and the admin token. Without a configured token there is
// nothing to sign in to, and the page says where the token goes.
import { html } from 'hono/html';
import { ADMIN_TOKEN_SECRET } from '../console-options.js';

export function loginPage(canLogin: boolean, next: string, error?: string) {
  if (!canLogin) {
    return html`<p>The console is read-only: no admin token is set. Put one in the secret <code>${ADMIN_TOKEN_SECRET}</code> (the file <code>${ADMIN_TOKEN_SECRET}</code> in <code>SISFLOW_SECRETS_DIR</code>, or <code>SISFLOW_SECRET_${ADMIN_TOKEN_SECRET.toUpperCase()}</code>) to approve, discard and run from here.</p>`;
  }
  return html`${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<form method="post" action="/login">
<input type="hidden" name="next" value="${next}">
<label for="by">Your name (recorded with every approval, discard and run)</label>
<input type="text" id="by" name="by" required maxlength="64" autocomplete="username">
<label for="token">Admin token</label>
<input type="password" id="token" name="token" required autocomplete="current-password">
<p><button type="submit">Sign in</button></p>
</form>`;
}

export function messagePage(text: string) {
  return html`<p class="error" role="alert">${text}</p><p><a href="/">Back to the overview</a></p>`;
}
