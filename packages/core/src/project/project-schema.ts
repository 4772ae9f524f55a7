// The JSON Schema of a project file (`sisflow.yaml`): the district, the connections and profiles its
// specs share, where alerts go, which files are its specs, and how `sisflow serve` keeps them running.
import { CONNECTIONS_SCHEMA, NAME, type JsonSchema } from '../spec/schema.js';

export const ALERT_KINDS = ['failed', 'rejects', 'held', 'zero_rows', 'schedule', 'invalid_spec'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export const PROJECT_SCHEMA: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://sisflow.dev/schema/project-v1.json',
  title: 'sisflow project file (sisflow.yaml)',
  type: 'object',
  required: ['sisflow_project', 'district'],
  additionalProperties: false,
  properties: {
    sisflow_project: { const: 1, description: 'project file version' },
    district: {
      type: 'object',
      required: ['name', 'timezone'],
      additionalProperties: false,
      properties: {
        name: { type: 'string', minLength: 1 },
        cds_code: { type: 'string', pattern: '^\\d{7}$', description: "the district's 7-digit CDS code (county + district)" },
        timezone: { type: 'string', description: 'IANA time zone the schedules of specs without their own run in' },
      },
    },
    specs: {
      type: 'array',
      minItems: 1,
      items: { type: 'string', minLength: 1 },
      description: "globs of the project's spec files, relative to the project folder (default: every .yaml file below it)",
    },
    connections: CONNECTIONS_SCHEMA,
    profiles: {
      type: 'object',
      propertyNames: { pattern: NAME },
      description: 'connections a `--profile` replaces, for every spec of the project',
      additionalProperties: { type: 'object', additionalProperties: false, properties: { description: { type: 'string' }, connections: CONNECTIONS_SCHEMA } },
    },
    notify: {
      type: 'object',
      propertyNames: { pattern: NAME },
      description: 'where alerts go (failed runs, rejects, held outputs, …), through a connection that can notify',
      additionalProperties: {
        type: 'object',
        required: ['to'],
        properties: {
          to: { type: 'string', pattern: NAME },
          on: { type: 'array', uniqueItems: true, items: { enum: [...ALERT_KINDS] }, description: 'which alerts (default: all)' },
          description: { type: 'string' },
        },
      },
    },
    history: {
      type: 'object',
      additionalProperties: false,
      properties: {
        retention_days: { type: 'integer', minimum: 1, description: 'runs older than this are forgotten (default 90); held runs are kept' },
        url: {
          type: 'string',
          minLength: 1,
          description: 'a shared PostgreSQL history for a fleet, `postgres://user:${secret:NAME}@host:5432/db` (default: the embedded `.sisflow/history.db`)',
        },
      },
    },
    serve: {
      type: 'object',
      additionalProperties: false,
      properties: {
        retries: { type: 'integer', minimum: 0, maximum: 10, description: 'attempts after a transient failure (default 3)' },
        retry_delay: { type: 'integer', minimum: 1, description: 'seconds before the first retry, doubled each time (default 30)' },
      },
    },
  },
};

/** Keys of a project `notify:` entry that belong to the language; the rest are the notifier's settings. */
export const PROJECT_NOTIFY_KEYS: readonly string[] = ['to', 'on', 'description'];
