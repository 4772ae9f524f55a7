// Loads a project file (`sisflow.yaml`) into a typed value with diagnostics, like a spec: YAML and
// schema problems at their line and column, then its connections and alert channels checked.
import type { ConnectorRegistry } from '../connector/registry.js';
import type { DiagnosticCode } from '../diagnostics/codes.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { SourceText } from '../diagnostics/source-text.js';
import { didYouMean } from '../diagnostics/suggest.js';
import { isTimeZone } from '../expr/dates.js';
import { checkConnection } from '../check/connections.js';
import { CheckContext } from '../check/context.js';
import { decodeSpecBytes, loadYaml } from '../spec/load-yaml.js';
import { Locator } from '../spec/locate.js';
import { CONNECTOR_CODES, schemaDiagnostics, type SchemaCodes } from '../spec/schema-diagnostics.js';
import type { ConnectionSpec, Spec } from '../spec/spec.js';
import { historyUrlProblem } from './history-url.js';
import { PROJECT_NOTIFY_KEYS, PROJECT_SCHEMA, type AlertKind } from './project-schema.js';

export interface ProjectNotify {
  to: string;
  on?: AlertKind[];
  description?: string;
  [setting: string]: unknown;
}

export interface ProjectFile {
  sisflow_project: 1;
  district: { name: string; cds_code?: string; timezone: string };
  specs?: string[];
  connections?: Record<string, ConnectionSpec>;
  profiles?: Record<string, { description?: string; connections?: Record<string, ConnectionSpec> }>;
  notify?: Record<string, ProjectNotify>;
  history?: { retention_days?: number; url?: string };
  serve?: { retries?: number; retry_delay?: number };
}

export interface LoadedProject {
  project?: ProjectFile;
  diagnostics: Diagnostic[];
  source?: SourceText;
}

const PROJECT_CODES: SchemaCodes = { unknownKey: 'SF601', missing: 'SF602', type: 'SF603', notAllowed: 'SF604', form: 'SF605', range: 'SF606' };

export function loadProject(input: Uint8Array | string, file: string, registry: ConnectorRegistry): LoadedProject {
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    const decoded = decodeSpecBytes(input, file);
    if (decoded.value === undefined) return { diagnostics: decoded.diagnostics };
    text = decoded.value;
  }
  const yaml = loadYaml(text, file);
  if (!yaml.value) return { diagnostics: yaml.diagnostics };
  const { source, doc, value } = yaml.value;
  const locator = new Locator(source, doc);
  const diagnostics = [...yaml.diagnostics, ...schemaDiagnostics({ value, schema: PROJECT_SCHEMA, locator, base: [], codes: PROJECT_CODES, subject: 'a project file' })];
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics, source };
  const project = value as ProjectFile;
  // The connection checks are the specs' own, run over the project file's text.
  const ctx = new CheckContext({ connections: project.connections ?? {} } as unknown as Spec, locator, registry);
  const report = (code: DiagnosticCode, message: string, path: (string | number)[], hint?: string) => ctx.report(code, message, path, hint);
  if (!isTimeZone(project.district.timezone)) {
    report('SF607', `\`${project.district.timezone}\` is not an IANA time zone`, ['district', 'timezone'], 'e.g. America/Los_Angeles');
  }
  if (project.history?.url) {
    const problem = historyUrlProblem(project.history.url);
    if (problem) report(problem.code, problem.message, ['history', 'url'], problem.hint);
  }
  const names = Object.keys(project.connections ?? {});
  for (const [name, conn] of Object.entries(project.connections ?? {})) checkConnection(ctx, conn, ['connections', name]);
  for (const [pname, profile] of Object.entries(project.profiles ?? {})) {
    for (const [cname, conn] of Object.entries(profile.connections ?? {})) {
      const path = ['profiles', pname, 'connections', cname];
      if (!project.connections?.[cname]) ctx.reportKey('SF201', `profile \`${pname}\` replaces connection \`${cname}\`, which the project does not declare`, path, didYouMean(cname, names));
      checkConnection(ctx, conn, path);
    }
  }
  for (const [name, n] of Object.entries(project.notify ?? {})) {
    const path = ['notify', name];
    const conn = project.connections?.[n.to];
    if (!conn) {
      report('SF201', `unknown connection \`${n.to}\``, [...path, 'to'], didYouMean(n.to, names) ?? 'declare it under `connections:`');
      continue;
    }
    const notifier = registry.get(conn.use)?.notifier;
    if (!notifier) {
      if (registry.get(conn.use)) report('SF214', `the ${conn.use} connector cannot be used to notify`, [...path, 'to'], 'use a connection whose connector can notify (smtp, webhook)');
      continue;
    }
    const settings = Object.fromEntries(Object.entries(n).filter(([k]) => !PROJECT_NOTIFY_KEYS.includes(k)));
    ctx.diagnostics.push(...schemaDiagnostics({ value: settings, schema: notifier.settings, locator, base: path, codes: CONNECTOR_CODES, subject: `a ${conn.use} notification` }));
  }
  diagnostics.push(...ctx.diagnostics);
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics, source };
  return { project, diagnostics, source };
}

