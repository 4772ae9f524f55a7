// `use: oneroster-api` — reads rosters from a OneRoster 1.1 REST provider (Aeries' OneRoster API
// and others) instead of SQL: OAuth 2 client credentials, HTTPS with TLS 1.2 or newer, pages of
// `limit`/`offset` (the X-Total-Count header when the provider sends it), the standard's
// `filter` and `sort`, retries with backoff on 429 and 5xx. Columns are fields or paths into the
// nested JSON records (record-columns.ts). `sisflow plan` lists the OAuth scopes the client needs.
import type { Connector, DescribeContext, RowSchema } from '@sisflow/core';
import { parseTypeName } from '@sisflow/core';
import { HTTPS_CONNECTION_SETTINGS } from '../http/https-settings.js';
import { columnProblem, type ColumnSetting } from '../http/record-columns.js';
import { schemaProblem, type GradebookCollection } from './gradebook.js';

const PREDICATE = String.raw`\s*[A-Za-z_][A-Za-z0-9_.]*\s*(=|!=|>=|<=|>|<|~)\s*'[^']*'\s*`;
/** The OneRoster 1.1 filter grammar: one predicate, or two joined by AND or OR. */
const FILTER = new RegExp(`^${PREDICATE}(\\s(AND|OR)\\s${PREDICATE})?$`);

const SCOPE = 'https://purl.imsglobal.org/spec/or/v1p1/scope/';

/** The OAuth scope reading an endpoint needs: demographics and the gradebook have their own, everything else is roster-core. */
export function onerosterScope(endpoint: string): string {
  if (/(^|\/)demographics(\/|$)/.test(endpoint)) return `${SCOPE}roster-demographics.readonly`;
  if (/(^|\/)(categories|lineItems|results)(\/|$)/.test(endpoint)) return `${SCOPE}gradebook.readonly`;
  return `${SCOPE}roster-core.readonly`;
}

/** The scope writing (PUT) gradebook records needs. */
export const GRADEBOOK_WRITE_SCOPE = `${SCOPE}gradebook.createput`;

export const onerosterApiConnector: Connector = {
  name: 'oneroster-api',
  summary: 'a OneRoster 1.1 REST provider: OAuth 2 client credentials, paged and filtered JSON over HTTPS',
  connection: {
    type: 'object',
    required: ['base_url', 'token_url', 'client_id', 'client_secret'],
    additionalProperties: false,
    properties: {
      base_url: { type: 'string', pattern: '^https://', description: 'the service root, e.g. https://district.aeries.net/ims/oneroster/v1p1 (HTTPS only)' },
      token_url: { type: 'string', pattern: '^https://', description: 'the OAuth 2 token endpoint (HTTPS only)' },
      client_id: { type: 'string', minLength: 1, description: 'OAuth client ID, as ${secret:…}' },
      client_secret: { type: 'string', minLength: 1, description: 'OAuth client secret, as ${secret:…}' },
      scope: { type: 'string', description: 'scopes to ask for (space-separated); default: none, the provider grants what the client has' },
      client_auth: { enum: ['basic', 'body'], default: 'basic', description: 'send the client ID and secret as HTTP Basic (the OAuth default) or in the form body' },
      schools_without_master_schedule: {
        type: 'array',
        items: { type: 'string', minLength: 1 },
        uniqueItems: true,
        description: "sourcedIds of schools (orgs) without a master schedule: the provider takes no grades for their classes, so the gradebook sink refuses them (Aeries: elementary schools without one)",
      },
      ...HTTPS_CONNECTION_SETTINGS,
    },
  },
  secretSettings: ['client_id', 'client_secret'],
  source: {
    settings: {
      type: 'object',
      required: ['endpoint', 'columns'],
      additionalProperties: false,
      properties: {
        endpoint: { type: 'string', pattern: '^[A-Za-z0-9_.~-]+(/[A-Za-z0-9_.~-]+)*$', description: 'path after the service root: users, students, schools/org-994/classes, enrollments' },
        filter: { type: 'string', minLength: 1, description: "a OneRoster filter, e.g. role='student' or status='active' AND type='school'" },
        sort: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_.]*$', description: 'field to sort by (ascending); sourcedId makes paging stable where the provider supports it' },
        page_size: { type: 'integer', minimum: 1, maximum: 10000, default: 100, description: 'records per request (limit)' },
        collection: { type: 'string', minLength: 1, description: 'the list in the answer, e.g. users; default: the one list the answer holds' },
        columns: {
          type: 'object',
          minProperties: 1,
          additionalProperties: {
            anyOf: [
              { type: 'string' },
              {
                type: 'object',
                required: ['path', 'type'],
                additionalProperties: false,
                properties: { path: { type: 'string' }, type: { type: 'string' }, format: { type: 'string', description: '{field} of each object; {{ and }} for braces' } },
              },
            ],
          },
          description: 'record fields to read with their types (`givenName: string`), or paths (`classSourcedId: { path: class.sourcedId, type: string }`)',
        },
      },
    },
    describe: describeEndpoint,
    read: async function* (req, ctx) {
      yield* (await import('./oneroster-api-read.js')).readOneRosterApi(req, ctx);
    },
  },
  sink: {
    settings: {
      type: 'object',
      required: ['collection'],
      additionalProperties: false,
      properties: {
        collection: { enum: ['categories', 'lineItems', 'results'], description: 'the gradebook records this output PUTs (create or replace by sourcedId)' },
        batch_size: { type: 'integer', minimum: 1, maximum: 100, default: 10, description: 'records sent at once (requests in flight)' },
      },
    },
    describe: describeGradebookOutput,
    write: async (req, ctx) => (await import('./gradebook-write.js')).writeGradebook(req, ctx),
  },
  checkAccess: async (req) => (await import('./oneroster-api-access.js')).checkOneRosterAccess(req),
};

function describeGradebookOutput(ctx: DescribeContext & { schema: RowSchema }) {
  const collection = String(ctx.settings.collection) as GradebookCollection;
  const without = (ctx.connection.schools_without_master_schedule as string[] | undefined) ?? [];
  const checkClass = without.length > 0 && collection !== 'categories';
  const problem = schemaProblem(collection, ctx.schema, checkClass);
  if (problem) {
    ctx.report(problem.code, problem.message, ['collection'], problem.hint);
    return undefined;
  }
  // Learning a class's school reads classes, which roster-core allows.
  const permissions = [`OAuth scope ${GRADEBOOK_WRITE_SCOPE}`, ...(checkClass ? [`OAuth scope ${SCOPE}roster-core.readonly`] : [])];
  return { target: `${String(ctx.connection.base_url).replace(/\/+$/, '')}/${collection}`, needs: { permissions } };
}

function describeEndpoint(ctx: DescribeContext) {
  const filter = ctx.settings.filter;
  if (typeof filter === 'string' && !FILTER.test(filter)) {
    ctx.report('SF408', `\`${filter}\` is not a OneRoster 1.1 filter`, ['filter'], "field, one of = != > >= < <= ~, a value in single quotes; at most two joined by AND or OR: role='student' AND status='active'");
    return undefined;
  }
  const columns = ctx.settings.columns as Record<string, ColumnSetting>;
  const schema: RowSchema = [];
  for (const [name, setting] of Object.entries(columns)) {
    const problem = columnProblem(setting);
    if (problem) {
      ctx.report('SF404', problem.message, ['columns', name], problem.hint);
      return undefined;
    }
    schema.push({ name, type: parseTypeName(typeof setting === 'string' ? setting : setting.type)! });
  }
  return { schema, needs: { permissions: [`OAuth scope ${onerosterScope(String(ctx.settings.endpoint))}`] } };
}
