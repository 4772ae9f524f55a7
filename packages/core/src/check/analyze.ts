// Runs every semantic check over a loaded spec, in data-flow order, collecting all diagnostics in one pass.
import type { ConnectorRegistry } from '../connector/registry.js';
import type { ParamValue } from '../expr/check.js';
import type { RowSchema } from '../expr/row-schema.js';
import { diagnostic } from '../diagnostics/diagnostic.js';
import { didYouMean } from '../diagnostics/suggest.js';
import type { LoadedSpec } from '../spec/load-spec.js';
import type { ConnectionSpec, Spec } from '../spec/spec.js';
import { checkConnection, checkConnections } from './connections.js';
import { CheckContext } from './context.js';
import { checkGraph } from './graph.js';
import { checkHoldWith, checkOutput, type OutputAnalysis } from './outputs.js';
import { withParams } from './connector-role.js';
import { checkNotify, type NotifyAnalysis } from './notify.js';
import { checkParamPatterns, checkParamValue, resolveParams } from './params.js';
import { parseTypeName } from '../expr/types.js';
import { checkSchedule } from './schedule.js';
import { localToday, todayIn } from '../expr/dates.js';
import { checkSecretPlacement } from './secret-placement.js';
import { checkOutputTargets } from './output-targets.js';
import { checkRejects } from './rejects.js';
import { checkSource, type SourceAnalysis } from './sources.js';
import { checkStep, type StepAnalysis } from './steps.js';
import { checkTests } from './tests.js';

/** A parameter value as text (a command line) or typed (a program). */
export type ParamInput = string | number | boolean | null | readonly (string | number | boolean)[];

export interface AnalyzeOptions {
  registry: ConnectorRegistry;
  profile?: string;
  /**
   * Parameter values as a command line gives them (`'991,993'` for a list) or typed, as a program
   * would (`[991, 993]`, `true`, `7`); they win over defaults, profiles and `values`.
   */
  params?: Record<string, ParamInput>;
  /** Typed parameter values (a program's or a spec test's), applied before `params`. */
  values?: Record<string, unknown>;
  /**
   * The date `today` resolves to; by default the clock's date in the spec's schedule time zone,
   * else `timezone`, else the machine's (a district in California is 8 hours behind UTC).
   */
  today?: string;
  /** The district's time zone (a project's), used when the spec has no schedule. */
  timezone?: string;
  /**
   * Connections the spec may use without declaring them (a project's, checked where they are
   * written); the spec's own connections of the same name take precedence.
   */
  shared?: Record<string, ConnectionSpec>;
}

export interface Analysis {
  spec: Spec;
  profile?: string;
  params: Map<string, ParamValue>;
  order: string[];
  sources: Map<string, SourceAnalysis>;
  steps: Map<string, StepAnalysis>;
  outputs: Map<string, OutputAnalysis>;
  notify: Map<string, NotifyAnalysis>;
  schemas: Map<string, RowSchema>;
}

export function analyze(loaded: LoadedSpec, options: AnalyzeOptions): { analysis: Analysis; context: CheckContext } {
  const spec = applyProfile(loaded, options.profile);
  const ctx = new CheckContext(spec, loaded.locator, options.registry);
  if (options.profile !== undefined && !loaded.spec.profiles?.[options.profile]) {
    const names = Object.keys(loaded.spec.profiles ?? {});
    ctx.diagnostics.push(diagnostic('SF207', `the spec has no profile \`${options.profile}\``, { hint: names.length ? didYouMean(options.profile, names) ?? `profiles: ${names.join(', ')}` : 'add one under `profiles:`' }));
  }
  let today: string | undefined;
  const params = resolveParams(ctx, {
    ...(options.profile ? { profile: loaded.spec.profiles?.[options.profile]?.params ?? {}, profileName: options.profile } : {}),
    ...(options.params ? { cli: options.params } : {}),
    ...(options.values ? { values: options.values } : {}),
    today: options.today ?? (() => (today ??= districtToday(loaded.spec.schedule?.timezone, options.timezone))),
  });
  ctx.params = params;
  checkParamPatterns(ctx);
  // `${param:NAME}` in connections (the SIRAS user name is the district's CDS code) is replaced
  // now, so checks and the plan see the value.
  // (Copies: the loaded spec is compiled again with other params by spec tests.)
  if (spec.connections) spec.connections = withParams(ctx, spec.connections, ['connections']) as typeof spec.connections;
  if (spec.profiles) spec.profiles = withParams(ctx, spec.profiles, ['profiles']) as typeof spec.profiles;
  checkConnections(ctx);
  // Every profile's connections are checked, not only the selected one's: a typo in the demo profile is still a typo.
  for (const [pname, profile] of Object.entries(spec.profiles ?? {})) {
    if (pname === options.profile) continue;
    for (const [cname, conn] of Object.entries(profile.connections ?? {})) {
      const path = ['profiles', pname, 'connections', cname];
      if (!loaded.spec.connections?.[cname] && !options.shared?.[cname]) {
        ctx.reportKey('SF201', `profile \`${pname}\` replaces connection \`${cname}\`, which the spec does not declare`, path, didYouMean(cname, Object.keys(loaded.spec.connections ?? {})));
      }
      checkConnection(ctx, conn, path);
    }
    for (const [param, value] of Object.entries(profile.params ?? {})) {
      const declared = loaded.spec.params?.[param];
      const path = ['profiles', pname, 'params', param];
      if (!declared) ctx.reportKey('SF210', `profile \`${pname}\` sets \`${param}\`, which is not a declared parameter`, path, didYouMean(param, Object.keys(loaded.spec.params ?? {})));
      else {
        const type = parseTypeName(declared.type);
        const v = type && checkParamValue(declared, type, value, options.today);
        if (v && !v.ok) ctx.report('SF211', `profile \`${pname}\` sets \`${param}\` to a value that is not ${declared.type}: ${v.why}`, path, v.hint);
      }
    }
  }
  if (options.shared) spec.connections = { ...(withParams(ctx, options.shared, ['connections']) as Record<string, ConnectionSpec>), ...spec.connections };
  const graph = checkGraph(ctx);
  const analysis: Analysis = { spec, params, order: graph.order, sources: new Map(), steps: new Map(), outputs: new Map(), notify: new Map(), schemas: new Map() };
  if (options.profile) analysis.profile = options.profile;
  for (const name of graph.order) {
    if (graph.kind.get(name) === 'source') {
      const s = checkSource(ctx, name, params);
      if (s) {
        analysis.sources.set(name, s);
        analysis.schemas.set(name, s.schema);
      }
    } else {
      const s = checkStep(ctx, name, analysis.schemas, params);
      if (s) {
        analysis.steps.set(name, s);
        analysis.schemas.set(name, s.schema);
      }
    }
  }
  for (const name of Object.keys(spec.outputs).sort()) {
    const o = checkOutput(ctx, name, analysis.schemas);
    if (o) analysis.outputs.set(name, o);
  }
  checkHoldWith(ctx, analysis.outputs);
  for (const name of Object.keys(spec.notify ?? {}).sort()) {
    const n = checkNotify(ctx, name);
    if (n) analysis.notify.set(name, n);
  }
  if (spec.rejects) checkSecretPlacement(ctx, spec.rejects, ['rejects'], [], 'the rejects output');
  checkOutputTargets(ctx, analysis.outputs);
  checkRejects(ctx);
  checkSchedule(ctx);
  const givenSchemas = new Map([...analysis.sources].flatMap(([n, s]) => (s.filter && s.description.filterSchema ? [[n, s.description.filterSchema] as const] : [])));
  checkTests(ctx, analysis.schemas, givenSchemas);
  // Only on an otherwise clean spec: an expression that did not parse may be the one using it.
  if (!ctx.diagnostics.some((d) => d.severity === 'error')) {
    for (const name of Object.keys(spec.params ?? {})) {
      if (!ctx.usedParams.has(name)) ctx.reportKey('SF220', `parameter \`${name}\` is not used by any expression`, ['params', name], `remove it, or use it as \`$${name}\``);
    }
  }
  return { analysis, context: ctx };
}

/** The spec as the profile sees it: its connections swapped in, the locator pointing at the profile's text. */
function applyProfile(loaded: LoadedSpec, profile: string | undefined): Spec {
  const p = profile ? loaded.spec.profiles?.[profile] : undefined;
  if (!p?.connections) return { ...loaded.spec }; // a copy: analysis replaces its connections
  const connections = { ...(loaded.spec.connections ?? {}) };
  for (const [name, conn] of Object.entries(p.connections)) {
    connections[name] = conn;
    loaded.locator.remap(['connections', name], ['profiles', profile!, 'connections', name]);
  }
  return { ...loaded.spec, connections };
}

/** Today's date where the district is: the spec's time zone, the project's, or the machine's. */
function districtToday(specZone: string | undefined, projectZone: string | undefined): string {
  for (const zone of [specZone, projectZone]) {
    if (!zone) continue;
    try {
      return todayIn(zone);
    } catch {
      // An unknown zone is reported by the schedule check; fall through to the next.
    }
  }
  return localToday();
}
