// A local HTTPS server that behaves like a OneRoster 1.1 REST provider, for tests: an OAuth 2
// client-credentials token endpoint (HTTP Basic or form body), bearer tokens it can revoke,
// collections in the REST binding's JSON (GUIDRefs, lists), limit/offset paging with
// X-Total-Count, a cap on the page size, the standard's filter (one or two predicates) and sort,
// and faults on request: throttling, server errors, a provider that ignores offset. The gradebook
// service too: single records by sourcedId (GET classes/{id}), PUT categories, lineItems and
// results (201 created, 200 replaced; 422 for a record that points at nothing or lacks a required
// field; 403 for a read-only client), and a fault that applies a PUT but loses its answer.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';

export type Record_ = Record<string, unknown>;

export interface ProviderOptions {
  clientId: string;
  clientSecret: string;
  /** The most records a page holds, whatever `limit` asks (default 1000). */
  maxLimit?: number;
  /** The client may read but not PUT (no gradebook.createput scope). */
  readOnly?: boolean;
  /**
   * The OAuth scopes (the part after …/scope/) the client holds, listed in the token answer and
   * enforced per request; default: every scope, and none listed.
   */
  scopes?: string[];
}

/** The scope a request needs, as the 1.1 REST binding assigns them. */
function scopeFor(method: string, name: string): string {
  if (method === 'PUT') return 'gradebook.createput';
  if (/(^|\/)demographics(\/|$)/.test(name)) return 'roster-demographics.readonly';
  if (/(^|\/)(categories|lineItems|results)(\/|$)/.test(name)) return 'gradebook.readonly';
  return 'roster-core.readonly';
}

/** The record key of a collection's single-record answers and PUT bodies. */
const SINGULAR: Record<string, string> = { categories: 'category', lineItems: 'lineItem', results: 'result', classes: 'class', users: 'user', orgs: 'org', courses: 'course', enrollments: 'enrollment', academicSessions: 'academicSession' };

/** Fields a PUT record must carry (OneRoster 1.1 REST binding). */
const REQUIRED: Record<string, string[]> = {
  categories: ['sourcedId', 'status', 'title'],
  lineItems: ['sourcedId', 'status', 'title', 'assignDate', 'dueDate', 'class', 'category', 'gradingPeriod'],
  results: ['sourcedId', 'status', 'lineItem', 'student', 'scoreStatus', 'score', 'scoreDate'],
};

/** What a PUT record points at, and the collection that must hold it. */
const POINTS_AT: Record<string, [string, string][]> = {
  lineItems: [['class', 'classes'], ['category', 'categories']],
  results: [['lineItem', 'lineItems'], ['student', 'users']],
};

export class OneRosterProvider {
  readonly requests: string[] = [];
  readonly faults = { throttle: new Set<string>(), fail: new Set<string>(), ignoreOffset: false, noTotal: false, loseAnswer: new Set<string>() };
  /** sourcedId → how many PUTs reached it. */
  readonly puts = new Map<string, number>();
  tokensIssued = 0;
  private readonly tokens = new Set<string>();
  private server!: Server;
  private port = 0;
  ca = '';

  constructor(
    private readonly collections: Map<string, Record_[]>,
    private readonly o: ProviderOptions,
  ) {}

  get baseUrl(): string {
    return `https://127.0.0.1:${this.port}/ims/oneroster/v1p1`;
  }

  get tokenUrl(): string {
    return `https://127.0.0.1:${this.port}/oauth/token`;
  }

  /** Every token issued so far stops working (as when a provider rotates keys). */
  revokeTokens(): void {
    this.tokens.clear();
  }

  async start(dir: string): Promise<void> {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    this.ca = readFileSync(join(dir, 'cert.pem'), 'utf8');
    this.server = createServer({ key: readFileSync(join(dir, 'key.pem')), cert: this.ca, minVersion: 'TLSv1.2' }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (d: Buffer) => chunks.push(d));
      req.on('end', () => {
        const url = new URL(req.url!, 'https://127.0.0.1');
        this.requests.push(`${req.method} ${url.pathname}${url.search}`);
        const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
          res.writeHead(status, { 'content-type': 'application/json', ...headers });
          res.end(JSON.stringify(body));
        };
        if (url.pathname === '/oauth/token') return this.token(req.method!, req.headers.authorization, Buffer.concat(chunks).toString('utf8'), send);
        const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
        if (!auth || !this.tokens.has(auth[1]!)) return send(401, failure('unauthorisedrequest', 'the access token is missing, expired or revoked'));
        if (this.faults.throttle.delete(url.pathname)) return send(429, failure('server_busy', 'too many requests'), { 'retry-after': '0' });
        if (this.faults.fail.delete(url.pathname)) return send(503, failure('server_busy', 'try later'));
        const name = url.pathname.replace(/^\/ims\/oneroster\/v1p1\//, '');
        if (this.o.scopes && !this.o.scopes.includes(scopeFor(req.method!, name))) return send(403, failure('forbidden', `the client has no ${scopeFor(req.method!, name)} scope`));
        const one = /^(\w+)\/([^/]+)$/.exec(name);
        if (req.method === 'PUT') return one ? this.put(one[1]!, decodeURIComponent(one[2]!), Buffer.concat(chunks).toString('utf8'), url.pathname, send) : send(405, failure('unsupported', 'PUT needs a sourcedId'));
        if (one && this.collections.has(one[1]!) && SINGULAR[one[1]!]) {
          const found = this.collections.get(one[1]!)!.find((r) => r.sourcedId === decodeURIComponent(one[2]!));
          return found ? send(200, { [SINGULAR[one[1]!]!]: found }) : send(404, failure('unknownobject', `no ${SINGULAR[one[1]!]} ${one[2]}`));
        }
        const all = this.collections.get(name);
        if (!all) return send(404, failure('unknownobject', `no collection ${name}`));
        let rows = all;
        const filter = url.searchParams.get('filter');
        if (filter !== null) {
          const test = compileFilter(filter);
          if (!test) return send(400, failure('invalid_filter_field', `cannot read the filter ${filter}`));
          rows = rows.filter(test);
        }
        const sort = url.searchParams.get('sort');
        if (sort !== null) {
          const dir = url.searchParams.get('orderBy') === 'desc' ? -1 : 1;
          rows = [...rows].sort((a, b) => (String(a[sort]) < String(b[sort]) ? -dir : String(a[sort]) > String(b[sort]) ? dir : 0));
        }
        const limit = Math.min(Number(url.searchParams.get('limit') ?? 100), this.o.maxLimit ?? 1000);
        const offset = this.faults.ignoreOffset ? 0 : Number(url.searchParams.get('offset') ?? 0);
        const key = name.split('/').pop()!;
        send(200, { [key === 'students' || key === 'teachers' ? 'users' : key]: rows.slice(offset, offset + limit) }, this.faults.noTotal ? {} : { 'x-total-count': String(rows.length) });
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.address() as { port: number }).port;
  }

  /** Create or replace by sourcedId, as the REST binding's PUT does. */
  private put(collection: string, id: string, text: string, path: string, send: (status: number, body: unknown) => void): void {
    if (!REQUIRED[collection]) return send(405, failure('unsupported', `${collection} cannot be written`));
    if (this.o.readOnly) return send(403, failure('forbidden', 'the client has no gradebook.createput scope'));
    let record: Record_ | undefined;
    try {
      record = (JSON.parse(text) as Record<string, Record_>)[SINGULAR[collection]!];
    } catch {
      return send(400, failure('invalid_data', 'the body is not JSON'));
    }
    if (!record) return send(400, failure('invalid_data', `the body holds no ${SINGULAR[collection]}`));
    if (record.sourcedId !== id) return send(400, failure('invalid_data', `the body's sourcedId ${String(record.sourcedId)} is not the one in the address (${id})`));
    const lacking = REQUIRED[collection]!.filter((k) => record![k] === undefined || record![k] === null || record![k] === '');
    if (lacking.length > 0) return send(422, failure('invalid_data', `missing ${lacking.join(', ')}`));
    for (const [key, target] of POINTS_AT[collection] ?? []) {
      const ref = (record[key] as { sourcedId?: string } | undefined)?.sourcedId;
      if (!this.collections.get(target)?.some((r) => r.sourcedId === ref)) return send(422, failure('invalid_data', `${key} ${ref} does not exist`));
    }
    this.puts.set(id, (this.puts.get(id) ?? 0) + 1);
    const list = this.collections.get(collection) ?? this.collections.set(collection, []).get(collection)!;
    const at = list.findIndex((r) => r.sourcedId === id);
    if (at >= 0) list[at] = record;
    else list.push(record);
    // The write happened, but the answer is lost (a proxy's 502): the client cannot tell, and retries.
    if (this.faults.loseAnswer.delete(path)) return send(502, failure('server_busy', 'bad gateway'));
    send(at >= 0 ? 200 : 201, { [SINGULAR[collection]!]: record });
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private token(method: string, authorization: string | undefined, body: string, send: (status: number, body: unknown) => void): void {
    const form = new URLSearchParams(body);
    let id = form.get('client_id');
    let secret = form.get('client_secret');
    const basic = /^Basic (.+)$/.exec(authorization ?? '');
    if (basic) {
      const [u, p] = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':');
      id = decodeURIComponent(u ?? '');
      secret = decodeURIComponent(p ?? '');
    }
    if (method !== 'POST' || form.get('grant_type') !== 'client_credentials') return send(400, { error: 'unsupported_grant_type' });
    if (id !== this.o.clientId || secret !== this.o.clientSecret) return send(401, { error: 'invalid_client', error_description: `client ${id} and secret ${secret} not known` });
    const token = `tok-${++this.tokensIssued}-${Math.random().toString(36).slice(2)}`;
    this.tokens.add(token);
    send(200, { access_token: token, token_type: 'bearer', expires_in: 3600, ...(this.o.scopes ? { scope: this.o.scopes.map((x) => `https://purl.imsglobal.org/spec/or/v1p1/scope/${x}`).join(' ') } : {}) });
  }
}

function failure(code: string, description: string) {
  return { imsx_codeMajor: 'failure', imsx_severity: 'error', imsx_CodeMinor: { imsx_codeMinorField: [{ imsx_codeMinorFieldName: 'TargetEndSystem', imsx_codeMinorFieldValue: code }] }, imsx_description: description };
}

/** The filter grammar: `field op 'value'`, optionally `AND`/`OR` a second one. */
function compileFilter(filter: string): ((r: Record_) => boolean) | undefined {
  const predicate = /^\s*([\w.]+)\s*(=|!=|>=|<=|>|<|~)\s*'([^']*)'\s*$/;
  const parts = filter.split(/\s(AND|OR)\s/);
  const tests = [parts[0], parts[2]].filter((p) => p !== undefined).map((p) => {
    const m = predicate.exec(p!);
    if (!m) return undefined;
    const [, field, op, value] = m;
    return (r: Record_) => {
      const v = String(r[field!] ?? '');
      switch (op) {
        case '=': return v === value;
        case '!=': return v !== value;
        case '~': return v.includes(value!);
        case '>': return v > value!;
        case '>=': return v >= value!;
        case '<': return v < value!;
        default: return v <= value!;
      }
    };
  });
  if (tests.some((t) => !t) || parts.length > 3) return undefined;
  const [a, b] = tests as ((r: Record_) => boolean)[];
  if (!b) return a;
  return parts[1] === 'AND' ? (r) => a!(r) && b(r) : (r) => a!(r) || b(r);
}

const MODIFIED = '2026-11-20T08:00:00.000Z';

/**
 * A OneRoster CSV bundle as the REST binding's JSON collections: references as GUIDRefs
 * (`{ href, sourcedId, type }`), list fields as arrays, userIds as `{ type, identifier }`, status
 * and dateLastModified filled as a provider fills them.
 */
export function bundleAsJson(files: ReadonlyMap<string, Uint8Array>, base: string): Map<string, Record_[]> {
  const table = (name: string) => parse(Buffer.from(files.get(`${name}.csv`)!).toString('utf8'), { columns: true }) as Record<string, string>[];
  const ref = (collection: string, type: string) => (id: string) => (id === '' ? null : { href: `${base}/${collection}/${id}`, sourcedId: id, type });
  const refs = (collection: string, type: string) => (ids: string) => list(ids).map((id) => ref(collection, type)(id));
  const list = (s: string) => (s === '' ? [] : s.split(','));
  const common = (r: Record<string, string>) => ({ sourcedId: r.sourcedId, status: 'active', dateLastModified: MODIFIED });
  const out = new Map<string, Record_[]>();
  out.set('orgs', table('orgs').map((r) => ({ ...common(r), name: r.name, type: r.type, identifier: r.identifier, parent: ref('orgs', 'org')(r.parentSourcedId!), children: [] })));
  out.set('academicSessions', table('academicSessions').map((r) => ({ ...common(r), title: r.title, startDate: r.startDate, endDate: r.endDate, type: r.type, parent: ref('academicSessions', 'academicSession')(r.parentSourcedId!), children: [], schoolYear: r.schoolYear })));
  out.set('courses', table('courses').map((r) => ({ ...common(r), title: r.title, schoolYear: ref('academicSessions', 'academicSession')(r.schoolYearSourcedId!), courseCode: r.courseCode, grades: list(r.grades!), subjects: list(r.subjects!), org: ref('orgs', 'org')(r.orgSourcedId!), subjectCodes: list(r.subjectCodes!), resources: [] })));
  out.set('classes', table('classes').map((r) => ({ ...common(r), title: r.title, classCode: r.classCode, classType: r.classType, location: r.location, grades: list(r.grades!), subjects: list(r.subjects!), course: ref('courses', 'course')(r.courseSourcedId!), school: ref('orgs', 'org')(r.schoolSourcedId!), terms: refs('academicSessions', 'academicSession')(r.termSourcedIds!), subjectCodes: list(r.subjectCodes!), periods: list(r.periods!), resources: [] })));
  out.set('users', table('users').map((r) => ({
    ...common(r),
    username: r.username,
    userIds: list(r.userIds!).map((u) => /^\{(.*):(.*)\}$/.exec(u)!).map((m) => ({ type: m[1], identifier: m[2] })),
    enabledUser: r.enabledUser,
    givenName: r.givenName,
    familyName: r.familyName,
    middleName: r.middleName,
    role: r.role,
    identifier: r.identifier,
    email: r.email,
    sms: r.sms,
    phone: r.phone,
    agents: refs('users', 'user')(r.agentSourcedIds!),
    orgs: refs('orgs', 'org')(r.orgSourcedIds!),
    grades: list(r.grades!),
    password: r.password,
  })));
  out.set('enrollments', table('enrollments').map((r) => ({ ...common(r), user: ref('users', 'user')(r.userSourcedId!), class: ref('classes', 'class')(r.classSourcedId!), school: ref('orgs', 'org')(r.schoolSourcedId!), role: r.role, primary: r.primary, beginDate: r.beginDate, endDate: r.endDate })));
  const { sourcedId: _s, status: _st, dateLastModified: _d, ...demographicFields } = Object.fromEntries(Object.keys(table('demographics')[0] ?? {}).map((k) => [k, k]));
  out.set('demographics', table('demographics').map((r) => ({ ...common(r), ...Object.fromEntries(Object.keys(demographicFields).map((k) => [k, r[k]])) })));
  return out;
}
