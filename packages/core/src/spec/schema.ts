// The JSON Schema of the spec language (v1). Connectors add their own settings' schemas
// (see connector/registry.ts); `sisflow schema` prints the combined document for editors.

export type JsonSchema = Record<string, unknown>;

export const NAME = '^[A-Za-z_][A-Za-z0-9_]*$';
const name = { type: 'string', pattern: NAME };
const expression = { type: 'string', minLength: 1, description: 'an expression (docs/expressions.md)' };
const nameOrNames = { oneOf: [{ type: 'string', minLength: 1 }, { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 }] };
const connectionRef = { type: 'object', required: ['use'], properties: { use: { type: 'string', description: 'connector name' } } };
/** `connections:` of a spec or a project: names to a connector (`use:`) and its settings. */
export const CONNECTIONS_SCHEMA = { type: 'object', propertyNames: { pattern: NAME }, additionalProperties: connectionRef };

const rule = {
  type: 'object',
  minProperties: 1,
  properties: {
    name: { type: 'string' },
    required: nameOrNames,
    unique: nameOrNames,
    matches: { type: 'object', additionalProperties: { type: 'string' }, minProperties: 1 },
    one_of: { type: 'object', additionalProperties: { type: 'array' }, minProperties: 1 },
    max_length: { type: 'object', additionalProperties: { type: 'integer', minimum: 1 }, minProperties: 1 },
    references: {
      type: 'object',
      required: ['column', 'step', 'key'],
      additionalProperties: false,
      properties: { column: { type: 'string' }, step: name, key: { type: 'string' } },
    },
    check: expression,
    message: { type: 'string' },
  },
  additionalProperties: false,
};

const limit = { oneOf: [{ type: 'integer', minimum: 0 }, { type: 'string', pattern: '^\\d+(\\.\\d+)?%$' }] };
/** A test's rows: written in the spec, or a CSV file beside it (streamed; for more than a few rows). */
const TEST_ROWS = {
  oneOf: [
    { type: 'array', items: { type: 'object' } },
    { type: 'string', minLength: 1, description: "a CSV file of the rows, relative to the spec and inside its folder (tests/students.csv); typed like the source's columns" },
  ],
};

const guard = {
  type: 'object',
  required: ['key'],
  additionalProperties: false,
  description: 'hold the run for approval (`sisflow approve RUN`) when the output differs too much from the last published one',
  properties: {
    key: { ...nameOrNames, description: 'the column(s) that identify a row of the output (a patron barcode)' },
    max_removed: { ...limit, description: 'rows whose key was published last time but is gone now: a count or a percentage of last time' },
    max_added: { ...limit, description: 'rows whose key is new: a count or a percentage of last time' },
    max_changed: { ...limit, description: 'rows whose key is kept but whose values changed: a count or a percentage of last time' },
    min_rows: { type: 'integer', minimum: 0, description: 'fewer rows than this hold the run' },
  },
};

export const SPEC_SCHEMA: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://sisflow.dev/schema/spec-v1.json',
  title: 'sisflow integration spec (language v1)',
  type: 'object',
  required: ['sisflow', 'name', 'sources', 'outputs'],
  additionalProperties: false,
  properties: {
    sisflow: { description: 'language version', const: 1 },
    name: { type: 'string', pattern: '^[a-z][a-z0-9-]*$', maxLength: 64, description: 'job name: lower case, digits and dashes' },
    description: { type: 'string' },
    params: {
      type: 'object',
      propertyNames: { pattern: NAME },
      additionalProperties: {
        type: 'object',
        required: ['type'],
        additionalProperties: false,
        properties: {
          type: { type: 'string', description: 'string | int | decimal | bool | date | datetime | list<T>' },
          default: {},
          doc: { type: 'string' },
          values: { type: 'array', minItems: 1, description: 'the allowed values' },
          pattern: { type: 'string', minLength: 1, description: 'a regular expression each text value must match' },
        },
      },
    },
    connections: CONNECTIONS_SCHEMA,
    profiles: {
      type: 'object',
      propertyNames: { pattern: NAME },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: {
          description: { type: 'string' },
          connections: CONNECTIONS_SCHEMA,
          params: { type: 'object' },
        },
      },
    },
    sources: {
      type: 'object',
      minProperties: 1,
      propertyNames: { pattern: NAME },
      additionalProperties: {
        type: 'object',
        required: ['from'],
        properties: {
          from: { ...name, description: 'the connection to read from' },
          description: { type: 'string' },
          where: { ...expression, description: 'a filter, pushed down to the database where it can be' },
          allow_empty: { type: 'boolean', description: 'true: an import may run when this source has no rows; false: no run may (by default an empty input to a table import fails the run)' },
        },
      },
    },
    steps: {
      type: 'object',
      propertyNames: { pattern: NAME },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: {
          description: { type: 'string' },
          from: { ...name, description: 'the source or step this step reads' },
          union: { type: 'array', items: name, minItems: 2, description: 'several inputs with the same columns, one after another' },
          lookup: {
            type: 'object',
            propertyNames: { pattern: NAME },
            additionalProperties: {
              type: 'object',
              required: ['from', 'key', 'on'],
              additionalProperties: false,
              properties: {
                from: name,
                key: nameOrNames,
                on: { oneOf: [expression, { type: 'array', items: expression, minItems: 1 }] },
                required: { type: 'boolean' },
              },
            },
          },
          where: expression,
          columns: { type: 'object', minProperties: 1, additionalProperties: expression },
          dedupe: {
            type: 'object',
            required: ['key', 'keep'],
            additionalProperties: false,
            properties: {
              key: nameOrNames,
              keep: { enum: ['first', 'last', 'reject'] },
              prefer: {
                type: 'object',
                minProperties: 1,
                description: 'which row of a key wins: `{ Status: [A, R, I] }` keeps the row whose Status comes first in the list (values not listed come last); several columns decide in the order written; `keep` breaks ties',
                additionalProperties: { type: 'array', minItems: 1, items: { type: ['string', 'number', 'boolean'] } },
              },
            },
          },
          unnest: {
            type: 'object',
            required: ['column', 'as'],
            additionalProperties: false,
            description: 'fan out a list column: each input row is repeated once per element of `column` (a list<…>), the element in a new column `as`; an empty list gives no row. Runs before lookups, `where` and `columns`',
            properties: { column: { type: 'string', minLength: 1 }, as: { type: 'string', minLength: 1 } },
          },
          number: {
            type: 'object',
            required: ['within', 'as'],
            additionalProperties: false,
            description: 'number the rows 1, 2, 3, … within each value of `within`, in the order they arrive, into a new int column `as`',
            properties: { within: nameOrNames, as: { type: 'string', minLength: 1 } },
          },
          rules: { type: 'array', items: rule },
        },
      },
    },
    outputs: {
      type: 'object',
      minProperties: 1,
      propertyNames: { pattern: NAME },
      additionalProperties: {
        type: 'object',
        required: ['from', 'to'],
        properties: {
          from: name,
          to: name,
          description: { type: 'string' },
          hold_with: {
            type: 'array',
            items: name,
            minItems: 1,
            uniqueItems: true,
            description: "table imports whose held slices are held here too, matched by this output's slice columns (a student whose row in the student file was refused keeps their services)",
          },
          guard,
        },
      },
    },
    notify: {
      type: 'object',
      propertyNames: { pattern: NAME },
      description: 'messages sent when a run ends (an import log by e-mail), through a connection that can notify',
      additionalProperties: {
        type: 'object',
        required: ['to'],
        properties: {
          to: name,
          when: { enum: ['always', 'success', 'failure'], description: 'which runs send it (default: always)' },
          attach: { type: 'array', items: name, uniqueItems: true, description: 'outputs whose files are attached, and `rejects`' },
          description: { type: 'string' },
        },
      },
    },
    rejects: {
      type: 'object',
      additionalProperties: false,
      properties: {
        max: {
          oneOf: [
            { type: 'integer', minimum: 0, description: 'a number of rows, e.g. 5' },
            { type: 'string', pattern: '^\\d+(\\.\\d+)?%$', description: 'a share of the rows read, e.g. 2%' },
          ],
          description: 'more rejected rows than this fail the run',
        },
        to: name,
        path: { type: 'string', minLength: 1 },
        spreadsheet_safe: { type: 'boolean', default: true, description: "the rejects file is for people: cells starting with = + - @ (and tab/CR) get a leading ' so a spreadsheet does not run them; false writes them as they are" },
      },
    },
    schedule: {
      type: 'object',
      required: ['cron', 'timezone'],
      additionalProperties: false,
      properties: {
        cron: { type: 'string' },
        timezone: { type: 'string' },
        doc: { type: 'string' },
        catch_up: { enum: ['once', 'skip'], description: 'a run missed while `sisflow serve` was down runs once at start-up (default), or is skipped' },
      },
    },
    tests: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'given', 'expect'],
        additionalProperties: false,
        properties: {
          name: { type: 'string', minLength: 1 },
          params: { type: 'object' },
          given: { type: 'object', additionalProperties: TEST_ROWS },
          expect: { type: 'object', additionalProperties: TEST_ROWS },
          rejects: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              properties: { step: { type: 'string' }, reason: { type: 'string' }, count: { type: 'integer', minimum: 0 } },
            },
          },
        },
      },
    },
  },
};

/** Keys a source or output carries for the language itself; the rest belong to the connector. */
export const SOURCE_LANGUAGE_KEYS = ['from', 'description', 'where', 'allow_empty'] as const;
export const OUTPUT_LANGUAGE_KEYS = ['from', 'to', 'description', 'hold_with', 'guard'] as const;
export const NOTIFY_LANGUAGE_KEYS = ['to', 'when', 'attach', 'description'] as const;
