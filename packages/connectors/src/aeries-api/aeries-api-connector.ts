// `use: aeries-api` — reads from the Aeries REST API (v5) instead of SQL: HTTPS only (TLS 1.2 or
// newer), the district's API certificate sent as the AERIES-CERT header, pages of records
// (StartingRecord/EndingRecord), typed columns picked from the JSON records, retries on 429 and
// 5xx. Each endpoint's Aeries API security area is declared, so `sisflow plan` lists exactly the
// permissions to grant the API key, and `sisflow access check` asks Aeries whether the key has them.
import { parseTypeName, type Connector, type DescribeContext } from '@sisflow/core';
import { HTTPS_CONNECTION_SETTINGS } from '../http/https-settings.js';
import { declaredSchema } from '../csv/csv-settings.js';
import { securityArea } from './security-areas.js';

export const aeriesApiConnector: Connector = {
  name: 'aeries-api',
  summary: 'the Aeries REST API (v5): paged, typed records over HTTPS with the district API certificate',
  connection: {
    type: 'object',
    required: ['base_url', 'cert'],
    additionalProperties: false,
    properties: {
      base_url: { type: 'string', pattern: '^https://', description: "the district's Aeries address, e.g. https://aeries.district.org/aeries (HTTPS only)" },
      cert: { type: 'string', description: 'the API certificate (key) Aeries generated for this integration, as ${secret:…}' },
      ...HTTPS_CONNECTION_SETTINGS,
      database_year: { type: 'integer', minimum: 2000, maximum: 2100, description: 'the school year to read (its first year); default: the current one' },
    },
  },
  secretSettings: ['cert'],
  source: {
    settings: {
      type: 'object',
      required: ['endpoint', 'columns'],
      additionalProperties: false,
      properties: {
        endpoint: { type: 'string', pattern: '^[A-Za-z0-9_{}/.-]+$', description: 'path after /api/v5/, e.g. schools/{school}/students; {school} is replaced by each of `schools`' },
        schools: { type: 'array', items: { type: 'integer', minimum: 1, maximum: 9999 }, minItems: 1, uniqueItems: true, description: 'school codes for {school}' },
        columns: { type: 'object', minProperties: 1, additionalProperties: { type: 'string' }, description: 'record fields to read, each with its type (`StudentID: int`)' },
        page_size: { type: 'integer', minimum: 0, maximum: 10000, default: 500, description: 'records per request (0: the endpoint does not page)' },
        area: { type: 'string', minLength: 1, description: 'the security area, for an endpoint sisflow does not know' },
      },
    },
    describe: describeEndpoint,
    read: async function* (req, ctx) {
      yield* (await import('./aeries-api-read.js')).readAeriesApi(req, ctx);
    },
  },
  checkAccess: async (req) => (await import('./aeries-api-access.js')).checkAeriesAccess(req),
};

function describeEndpoint(ctx: DescribeContext) {
  const endpoint = String(ctx.settings.endpoint);
  const templated = endpoint.includes('{school}');
  if (templated !== (ctx.settings.schools !== undefined)) {
    ctx.report('SF408', templated ? '`{school}` in the endpoint needs `schools`' : '`schools` is set, but the endpoint has no `{school}`', templated ? ['endpoint'] : ['schools'], 'write e.g. `endpoint: schools/{school}/students` with `schools: [994, 995]`');
    return undefined;
  }
  const columns = ctx.settings.columns as Record<string, string>;
  for (const [name, t] of Object.entries(columns)) {
    if (!parseTypeName(t) || t.startsWith('list')) {
      ctx.report('SF404', `\`${t}\` is not a column type`, ['columns', name], 'string, int, decimal, bool, date or datetime, with ? when it may be null');
      return undefined;
    }
  }
  const area = (ctx.settings.area as string | undefined) ?? securityArea(endpoint);
  if (!area) {
    ctx.report('SF402', `sisflow does not know the security area of \`${endpoint}\``, ['endpoint'], 'add `area:` with the Aeries API security area the endpoint needs, as Aeries names it');
    return undefined;
  }
  return { schema: declaredSchema(columns), needs: { permissions: [`Aeries API: ${area}`] } };
}
