// `use: smtp` — sends a run's log by e-mail (the import log special-education staff expect),
// with the files the spec attaches. nodemailer loads on first use.
import { connectionFailure, type Connector, type Settings } from '@sisflow/core';
import { networkFailure } from '../network-failure.js';
import { runLog, runStatus } from './run-log.js';

const EMAIL = { type: 'string', pattern: '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$', description: 'an e-mail address' };

export const smtpConnector: Connector = {
  name: 'smtp',
  summary: 'e-mail through an SMTP server: run logs with attachments',
  connection: {
    type: 'object',
    required: ['host', 'from'],
    additionalProperties: false,
    properties: {
      host: { type: 'string', minLength: 1 },
      port: { type: 'integer', minimum: 1, maximum: 65535, description: 'default 587 (465 with tls: implicit)' },
      tls: { enum: ['starttls', 'implicit', 'none'], default: 'starttls', description: 'starttls (required, the default), implicit TLS (port 465), or none (a local relay only)' },
      username: { type: 'string', minLength: 1 },
      password: { type: 'string', description: 'a ${secret:…} reference' },
      from: EMAIL,
      timeout_seconds: { type: 'number', exclusiveMinimum: 0, maximum: 600, default: 30 },
    },
  },
  secretSettings: ['password'],
  checkConnection: ({ connection, report }) => {
    if ((connection.username === undefined) !== (connection.password === undefined)) {
      report('SF408', '`username` and `password` go together', [connection.username === undefined ? 'password' : 'username'], 'give both, or neither for a relay that does not ask for a login');
    }
  },
  notifier: {
    settings: {
      type: 'object',
      required: ['recipients'],
      additionalProperties: false,
      properties: {
        recipients: { type: 'array', items: EMAIL, minItems: 1, uniqueItems: true },
        subject: { type: 'string', minLength: 1, description: 'default: "{name}: {status}"; {name} and {status} are filled in' },
      },
    },
    describe: (ctx) => ({ target: (ctx.settings.recipients as string[]).join(', ') }),
    send: (req, ctx) =>
      mail(req.connection, req.settings, ctx, {
        subject: String(req.settings.subject ?? '{name}: {status}')
          .replaceAll('{name}', req.report.name)
          .replaceAll('{status}', runStatus(req.report)),
        text: runLog(req.report, req.attachments),
        attachments: req.attachments.map((a) => ({ filename: a.name, path: a.path })),
      }),
    alert: (req, ctx) => mail(req.connection, req.settings, ctx, { subject: `sisflow: ${req.alert.title}`, text: req.alert.text, attachments: [] }),
  },
};

async function mail(c: Settings, settings: Settings, ctx: { log(message: string): void }, message: { subject: string; text: string; attachments: { filename: string; path: string }[] }): Promise<void> {
  const { default: nodemailer } = await import('nodemailer');
  const tls = (c.tls as string | undefined) ?? 'starttls';
  const timeout = ((c.timeout_seconds as number | undefined) ?? 30) * 1000;
  const port = (c.port as number | undefined) ?? (tls === 'implicit' ? 465 : 587);
  const transport = nodemailer.createTransport({
    host: String(c.host),
    port,
    secure: tls === 'implicit',
    requireTLS: tls === 'starttls',
    ignoreTLS: tls === 'none',
    tls: { minVersion: 'TLSv1.2' },
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    ...(c.username ? { auth: { user: String(c.username), pass: String(c.password ?? '') } } : {}),
  });
  try {
    const info = await transport.sendMail({ from: String(c.from), to: (settings.recipients as string[]).join(', '), ...message });
    ctx.log(`sent ${info.messageId} to ${(settings.recipients as string[]).length} recipient(s)`);
  } catch (e) {
    throw smtpFailure(e, `${String(c.host)}:${port}`, c);
  } finally {
    transport.close();
  }
}

const TRUST = "if the district signs its servers' certificates itself, point NODE_EXTRA_CA_CERTS at its certificate authority (PEM) when starting sisflow";

/**
 * nodemailer's error in words. Not reaching the server, its certificate, its TLS and the log-in
 * are the connection's own failure; a refused recipient or message is this e-mail's.
 */
function smtpFailure(e: unknown, where: string, c: Settings): Error {
  const err = e as { code?: unknown; responseCode?: unknown; message?: unknown };
  const text = typeof err?.message === 'string' ? err.message : String(e);
  const network = networkFailure(e, where, TRUST);
  if (network) return connectionFailure(new Error(network.message));
  switch (err?.code) {
    case 'EAUTH':
      return connectionFailure(new Error(`${where} refused the login of ${String(c.username ?? '(no user name)')}${typeof err.responseCode === 'number' ? ` (${err.responseCode})` : ''}; check the user name and password`));
    case 'ETLS':
      return connectionFailure(new Error(`${where} offers no STARTTLS, which \`tls: starttls\` requires (${text}); use the server's TLS port with \`tls: implicit\`, or \`tls: none\` for a local relay only`));
    case 'ECONNECTION':
    case 'ETIMEDOUT':
    case 'ESOCKET':
    case 'EDNS':
    case 'EPROTOCOL':
      return connectionFailure(new Error(`the SMTP server ${where} could not be used: ${text}`));
    default:
      return e instanceof Error ? e : new Error(text);
  }
}
