// Sends alerts through a project's `notify:` channels (SMTP, webhook), each filtered by its `on:`.
// An alert that cannot be sent is logged, never thrown: it must not change a run's outcome.
import { PROJECT_NOTIFY_KEYS, Redactor, resolveSettings, type Alert, type ConnectorRegistry, type SecretSource } from '@sisflow/core';
import type { Project } from '../project/open-project.js';

export interface Alerts {
  send(alert: Alert): Promise<void>;
}

export function projectAlerts(project: Project | undefined, registry: ConnectorRegistry, secrets: SecretSource, log: (line: string) => void): Alerts {
  const channels = Object.entries(project?.config.notify ?? {});
  return {
    async send(alert) {
      for (const [name, n] of channels) {
        if (n.on && !n.on.includes(alert.kind as never)) continue;
        const redactor = new Redactor();
        try {
          const conn = project!.config.connections![n.to]!;
          const { use, ...connection } = conn;
          const notifier = registry.get(use)?.notifier;
          if (!notifier?.alert) throw new Error(`the ${use} connector cannot send alerts`);
          const settings = Object.fromEntries(Object.entries(n).filter(([k]) => !PROJECT_NOTIFY_KEYS.includes(k)));
          await notifier.alert(
            {
              connection: resolveSettings(connection, secrets, redactor, `connection \`${n.to}\``),
              settings: resolveSettings(settings, secrets, redactor, `notify \`${name}\``),
              alert,
            },
            { signal: AbortSignal.timeout(60_000), log: (m) => log(redactor.redact(`alert ${name}: ${m}`)) },
          );
          log(`alert ${name}: sent ${alert.kind} for ${alert.spec}`);
        } catch (e) {
          log(redactor.redact(`alert ${name}: could not send ${alert.kind} for ${alert.spec}: ${e instanceof Error ? e.message : String(e)}`));
        }
      }
    },
  };
}
