// `use: webhook` — alerts and run notifications posted as JSON over HTTPS (TLS 1.2+): sisflow's
// own shape, or a Microsoft Teams or Slack incoming-webhook message. The URL is a secret (it
// carries the channel's token): it must be a reference and never appears in logs or errors.
import type { Alert, Connector, RunReport, Settings } from '@sisflow/core';
import { httpsRequest } from '../http/https-request.js';
import { runLog, runStatus } from '../smtp/run-log.js';
import { webhookBody, type WebhookFormat } from './webhook-message.js';

export const webhookConnector: Connector = {
  name: 'webhook',
  summary: 'HTTPS POST of a JSON message (sisflow JSON, Microsoft Teams or Slack incoming webhook): alerts and run notifications',
  connection: {
    type: 'object',
    required: ['url'],
    additionalProperties: false,
    properties: {
      url: { type: 'string', pattern: '^https://', description: 'the incoming-webhook URL: `${secret:NAME}` (it carries a token)' },
      format: { enum: ['json', 'teams', 'slack'], default: 'json', description: 'the body: sisflow JSON, a Teams Adaptive Card message, or a Slack message' },
      ca: { type: 'string', description: 'PEM of a private certificate authority' },
      timeout_seconds: { type: 'number', exclusiveMinimum: 0, maximum: 120, default: 30 },
    },
  },
  secretSettings: ['url'],
  notifier: {
    settings: { type: 'object', additionalProperties: false, properties: {} },
    describe: (ctx) => ({ target: `a ${String(ctx.connection.format ?? 'json')} webhook` }),
    send: (req, ctx) => post(req.connection, reportAlert(req.report), ctx),
    alert: (req, ctx) => post(req.connection, req.alert, ctx),
  },
};

function reportAlert(report: RunReport): Alert {
  return { kind: 'run', spec: report.name, title: `${report.name}: ${runStatus(report)}`, text: runLog(report, []) };
}

async function post(c: Settings, alert: Alert, ctx: { signal: AbortSignal; log(message: string): void }): Promise<void> {
  const url = String(c.url);
  if (!url.startsWith('https://')) throw new Error('a webhook URL must start with https://');
  const res = await httpsRequest(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(webhookBody((c.format as WebhookFormat | undefined) ?? 'json', alert)),
    ...(typeof c.ca === 'string' ? { ca: c.ca } : {}),
    timeoutMs: ((c.timeout_seconds as number | undefined) ?? 30) * 1000,
    signal: ctx.signal,
  });
  // The answer's body is not shown: a misconfigured endpoint may echo the request, URL included.
  if (res.status < 200 || res.status >= 300) throw new Error(`the webhook answered HTTP ${res.status}`);
  ctx.log(`posted (HTTP ${res.status})`);
}
