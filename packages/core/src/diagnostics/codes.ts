// The catalog of every diagnostic code. Codes are stable: never renumber, only add.
// docs/diagnostics.md documents each one with a failing example (a test keeps them in sync).
import type { Severity } from './diagnostic.js';

export interface CodeInfo {
  severity: Severity;
  title: string;
}

export const CODES = {
  // SF1xx — reading the file, YAML and the language schema
  SF100: { severity: 'error', title: 'spec file cannot be read' },
  SF101: { severity: 'error', title: 'YAML syntax error' },
  SF102: { severity: 'error', title: 'duplicate key' },
  SF103: { severity: 'error', title: 'tab used for indentation' },
  SF104: { severity: 'error', title: 'several YAML documents in one spec' },
  SF105: { severity: 'error', title: 'empty spec' },
  SF106: { severity: 'error', title: 'spec is not valid UTF-8' },
  SF107: { severity: 'error', title: 'too many alias expansions' },
  SF108: { severity: 'error', title: 'unsupported YAML tag' },
  SF109: { severity: 'error', title: 'spec is not a mapping' },
  SF110: { severity: 'error', title: 'unknown key' },
  SF111: { severity: 'error', title: 'missing required key' },
  SF112: { severity: 'error', title: 'wrong type' },
  SF113: { severity: 'error', title: 'value not allowed' },
  SF114: { severity: 'error', title: 'value does not match the required form' },
  SF115: { severity: 'error', title: 'value out of range' },
  SF116: { severity: 'error', title: 'unsupported language version' },
  SF117: { severity: 'error', title: 'conflicting keys' },
  SF118: { severity: 'error', title: 'key under the wrong parent' },
  SF130: { severity: 'error', title: 'spec too large' },
  // SF2xx — names and references
  SF201: { severity: 'error', title: 'unknown connection' },
  SF202: { severity: 'error', title: 'unknown source or step' },
  SF203: { severity: 'error', title: 'cycle between steps' },
  SF204: { severity: 'warning', title: 'unused source' },
  SF205: { severity: 'error', title: 'unknown connector' },
  SF206: { severity: 'error', title: 'name defined twice' },
  SF207: { severity: 'error', title: 'unknown profile' },
  SF208: { severity: 'error', title: 'unknown column' },
  SF209: { severity: 'error', title: 'unknown table' },
  SF210: { severity: 'error', title: 'unknown parameter' },
  SF211: { severity: 'error', title: 'parameter value does not match its type' },
  SF212: { severity: 'error', title: 'malformed reference' },
  SF213: { severity: 'error', title: 'union inputs do not match' },
  SF214: { severity: 'error', title: 'connector cannot play this role' },
  SF215: { severity: 'warning', title: 'unused step' },
  SF216: { severity: 'error', title: 'unknown type' },
  SF217: { severity: 'error', title: 'invalid schedule' },
  SF218: { severity: 'error', title: 'test refers to an unknown name' },
  SF219: { severity: 'error', title: 'required parameter has no value' },
  SF220: { severity: 'warning', title: 'unused parameter' },
  SF221: { severity: 'error', title: 'two outputs write the same file' },
  SF222: { severity: 'error', title: 'two tests with the same name' },
  SF223: { severity: 'error', title: 'expression parameter syntax in a setting' },
  SF230: { severity: 'error', title: 'hold_with names no other output' },
  SF231: { severity: 'error', title: 'hold_with cannot hold these slices' },
  SF270: { severity: 'error', title: 'parameter steers a path out of its folder' },
  SF260: { severity: 'error', title: 'dedupe prefer cannot apply' },
  SF261: { severity: 'error', title: 'dedupe prefer value does not fit its column' },
  SF262: { severity: 'error', title: 'unnest needs a list column and a new name' },
  SF250: { severity: 'error', title: 'guard key is not a column of the output' },
  SF251: { severity: 'error', title: 'guard limit is not a count or a percentage' },
  // SF3xx — expressions
  SF301: { severity: 'error', title: 'expression syntax error' },
  SF302: { severity: 'error', title: 'unknown column in expression' },
  SF303: { severity: 'error', title: 'unknown function' },
  SF304: { severity: 'error', title: 'wrong number of arguments' },
  SF305: { severity: 'error', title: 'argument has the wrong type' },
  SF306: { severity: 'error', title: 'operator cannot apply to these types' },
  SF307: { severity: 'error', title: 'unknown parameter in expression' },
  SF308: { severity: 'error', title: 'nullable value where a value is required' },
  SF309: { severity: 'error', title: 'invalid literal' },
  SF311: { severity: 'error', title: 'condition is not a boolean' },
  SF312: { severity: 'error', title: 'argument must be a constant' },
  SF313: { severity: 'error', title: 'branches have different types' },
  SF314: { severity: 'error', title: 'unknown qualifier' },
  SF315: { severity: 'error', title: 'date pattern in another library\'s letters' },
  SF316: { severity: 'error', title: 'comparison with a value that never occurs' },
  SF317: { severity: 'warning', title: 'condition can never be true' },
  SF318: { severity: 'error', title: 'test value does not fit its column' },
  SF319: { severity: 'error', title: 'text longer than its destination column' },
  SF330: { severity: 'error', title: 'reference written inside an expression' },
  // SF4xx — connector configuration
  SF401: { severity: 'error', title: 'unknown connector setting' },
  SF402: { severity: 'error', title: 'missing connector setting' },
  SF403: { severity: 'error', title: 'connector setting has the wrong type' },
  SF404: { severity: 'error', title: 'connector setting value not allowed' },
  SF405: { severity: 'error', title: 'connector setting does not match the required form' },
  SF406: { severity: 'error', title: 'connector setting out of range' },
  SF407: { severity: 'error', title: 'secret written in clear text' },
  SF408: { severity: 'error', title: 'invalid connector configuration' },
  SF409: { severity: 'error', title: 'query placeholder without a value' },
  SF425: { severity: 'error', title: '`absent: keep` on a column that cannot be empty' },
  SF426: { severity: 'error', title: 'unknown CSV layout' },
  SF427: { severity: 'error', title: 'CSV layouts declare different columns' },
  SF428: { severity: 'error', title: 'header name claimed by two columns' },
  SF460: { severity: 'error', title: 'output lacks a column its API records need' },
  SF461: { severity: 'error', title: 'column type does not fit the API record field' },
  SF480: { severity: 'error', title: 'secret outside a credential setting' },
  SF470: { severity: 'error', title: 'column is not a Destiny patron field' },
  // SF45x — records transfer: a district's transfer configuration (transfer.yaml)
  SF450: { severity: 'error', title: 'transfer configuration cannot be read' },
  SF451: { severity: 'error', title: 'unknown transfer setting' },
  SF452: { severity: 'error', title: 'missing transfer setting' },
  SF453: { severity: 'error', title: 'transfer setting value not allowed' },
  SF454: { severity: 'error', title: 'file named by a transfer setting cannot be read' },
  SF440: { severity: 'error', title: 'output cannot be held for approval' },
  // SF5xx — command line and plan input
  SF501: { severity: 'error', title: 'bad --param value' },
  SF502: { severity: 'error', title: 'not a job plan' },
  SF520: { severity: 'error', title: 'not a sisflow project folder' },
  SF521: { severity: 'error', title: 'spec already running' },
  // SF75x — spec tests' rows from files (given: { students: tests/students.csv })
  SF750: { severity: 'error', title: 'test data cell does not fit its column' },
  SF751: { severity: 'error', title: 'test data file lacks a declared column' },
  SF752: { severity: 'error', title: 'test data path not allowed' },
  SF753: { severity: 'error', title: 'test data file cannot be read' },
  // SF6xx — the project file (sisflow.yaml): district, shared connections, specs
  SF600: { severity: 'error', title: 'project file cannot be read' },
  SF601: { severity: 'error', title: 'unknown key in the project file' },
  SF602: { severity: 'error', title: 'missing key in the project file' },
  SF603: { severity: 'error', title: 'project value has the wrong type' },
  SF604: { severity: 'error', title: 'project value not allowed' },
  SF605: { severity: 'error', title: 'project value does not match the required form' },
  SF606: { severity: 'error', title: 'project value out of range' },
  SF607: { severity: 'error', title: 'invalid time zone' },
  SF608: { severity: 'error', title: 'spec glob matches no spec' },
  // SF7xx — fleet mode: the shared PostgreSQL history, the queue, workers
  SF700: { severity: 'error', title: 'history URL is not a PostgreSQL URL' },
  SF701: { severity: 'error', title: 'password in clear text in the history URL' },
  SF702: { severity: 'error', title: 'PostgreSQL history cannot be reached' },
  SF703: { severity: 'error', title: 'queue URL is not a Redis URL' },
  SF704: { severity: 'error', title: 'two projects of the fleet name the same district' },
  SF705: { severity: 'error', title: 'fleet mode needs a PostgreSQL history' },
  SF706: { severity: 'error', title: 'a worker setting needs a whole number of at least 1' },
  // SF9xx — internal
  SF900: { severity: 'error', title: 'internal error' },
} as const satisfies Record<string, CodeInfo>;

export type DiagnosticCode = keyof typeof CODES;

export function describeCode(code: DiagnosticCode): CodeInfo {
  return CODES[code];
}

export function isDiagnosticCode(code: string): code is DiagnosticCode {
  return Object.prototype.hasOwnProperty.call(CODES, code);
}
