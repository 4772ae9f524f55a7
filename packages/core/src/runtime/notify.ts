// After a run: the spec's notifications (an import log by e-mail, say), each through its
// connector. A notification that cannot be sent never changes the run's outcome: it is reported
// as a warning and in `report.notifications`.
import type { Attachment } from '../connector/connector.js';
import type { ConnectorRegistry } from '../connector/registry.js';
import type { JobPlan } from '../plan/plan.js';
import { connectionLabel, isConnectionFailure } from './connection-failure.js';
import type { RunReport } from './report.js';
import { resolveSettings, type Redactor, type SecretSource } from './secrets.js';

export async function sendNotifications(plan: JobPlan, report: RunReport, registry: ConnectorRegistry, secrets: SecretSource, redactor: Redactor, log?: (line: string) => void): Promise<void> {
  for (const n of plan.notify ?? []) {
    if ((n.when === 'success' && !report.ok) || (n.when === 'failure' && report.ok)) continue;
    if (report.dryRun || report.cancelled) {
      report.notifications[n.name] = { sent: false, to: n.target, skipped: report.dryRun ? 'dry run' : 'cancelled' };
      continue;
    }
    try {
      const notifier = registry.get(n.use)?.notifier;
      if (!notifier) throw new Error(`no connector \`${n.use}\` that can notify`);
      const conn = plan.connections[n.connection];
      if (!conn) throw new Error(`the plan has no connection \`${n.connection}\``);
      await notifier.send(
        {
          connection: resolveSettings(conn.settings, secrets, redactor, `connection \`${n.connection}\``),
          settings: resolveSettings(n.settings, secrets, redactor, `notification \`${n.name}\``),
          report,
          attachments: attachments(n.attach, report),
        },
        { signal: AbortSignal.timeout(120_000), log: (m) => log?.(redactor.redact(`${n.name}: ${m}`)) },
      );
      report.notifications[n.name] = { sent: true, to: n.target };
    } catch (e) {
      const text = e instanceof Error ? e.message : String(e);
      const error = redactor.redact(isConnectionFailure(e) ? `${connectionLabel(plan, n.connection)}: ${text}` : text);
      report.notifications[n.name] = { sent: false, to: n.target, error };
      report.warnings.push(`notification ${n.name} was not sent: ${error}`);
    }
  }
}

/** Local files the run published for these outputs (and the rejects file); remote ones are named in the message instead. */
function attachments(names: string[], report: RunReport): Attachment[] {
  const out: Attachment[] = [];
  for (const name of names) {
    const files = name === 'rejects' ? report.rejects.files : (report.outputs[name]?.committed ? report.outputs[name].files : []);
    for (const f of files) if (!/^[a-z]+:\/\//.test(f.path)) out.push({ name: f.path.split(/[\\/]/).pop()!, path: f.path });
  }
  return out;
}
