// @sisflow/core: spec loading, diagnostics, the expression language, the checker, the plan compiler,
// the connector API and the runtime. No network or database dependencies.
export { CODES, describeCode, isDiagnosticCode, type DiagnosticCode, type CodeInfo } from './diagnostics/codes.js';
export { USUAL_FIX } from './diagnostics/fixes.js';
export { diagnostic, hasErrors, sortDiagnostics, type Diagnostic, type Position, type Result, type Severity, type Span } from './diagnostics/diagnostic.js';
export { formatDiagnostic, formatDiagnostics, summarize, type FormatOptions } from './diagnostics/format.js';
export { SourceText } from './diagnostics/source-text.js';
export { didYouMean, editDistance } from './diagnostics/suggest.js';

export { loadSpec, type LoadedSpec } from './spec/load-spec.js';
export { Locator, type Path } from './spec/locate.js';
export { SPEC_SCHEMA, type JsonSchema } from './spec/schema.js';
export { addPrecompiledValidators, AJV_OPTIONS, schemaKey, VALIDATOR_EXPORT_PREFIX } from './spec/schema-validator.js';
export { AJV_RUNTIME } from './spec/ajv-runtime.js';
export type * from './spec/spec.js';

export { parseExpression, type ParseResult } from './expr/parser.js';
export type { Expr } from './expr/ast.js';
export { checkExpression, type CheckedExpr, type ExprScope, type ParamValue } from './expr/check.js';
export { compileStep, compileRowExpression, type StepFunction, type CompiledStep } from './expr/compile-step.js';
export { exprToSql, quoteIdent, type SqlFragment } from './expr/compile-sql.js';
export { STDLIB, STDLIB_GROUPS } from './expr/stdlib/index.js';
export type { FunctionDef, Dialect } from './expr/functions.js';
export { RowError } from './expr/row-error.js';
export { T, parseTypeName, typeToString, type Type } from './expr/types.js';
export type { ColumnInfo, RowSchema } from './expr/row-schema.js';

export { analyze, type Analysis, type AnalyzeOptions, type ParamInput } from './check/analyze.js';
export { coerce } from './check/params.js';
export { nextRuns } from './check/schedule.js';
export { cellParser, type CellOptions } from './runtime/parse-cell.js';
export { parseDate, formatDate } from './expr/dates.js';
export { REFERENCE, scanReferences } from './check/references.js';

export { loadProject, type LoadedProject, type ProjectFile, type ProjectNotify } from './project/project-file.js';
export { PROJECT_SCHEMA, PROJECT_NOTIFY_KEYS, ALERT_KINDS, type AlertKind } from './project/project-schema.js';
export { historyUrlProblem, type HistoryUrlProblem } from './project/history-url.js';

export { compile, buildPlan, type CompileResult } from './plan/compile.js';
export { canonicalJson, sha256Hex } from './plan/canonical-json.js';
export { diffPlans, formatPlanDiff, type PlanChange } from './plan/plan-diff.js';
export type * from './plan/plan.js';

export { ConnectorRegistry, specSchemaFor } from './connector/registry.js';

export { runPlan, type RunOptions, type RunResult } from './runtime/run.js';
export { canonicalNumber, KeyIndex, TextTable } from './runtime/key-index.js';
export { asciiStops, encodeUtf8 } from './runtime/utf8-bytes.js';
export { connectionFailure, connectionLabel, connectionUsers, isConnectionFailure } from './runtime/connection-failure.js';
export { checkPlanAccess, type AccessReport, type AccessOptions, type ConnectionAccess } from './runtime/access.js';
export { standaloneContext } from './connector/standalone-context.js';
export { missingReferences, type MissingReference } from './runtime/missing-references.js';
export { testPause } from './runtime/publish.js';
export { PublishJournal, JOURNAL_DIR, processAlive, syncFolder, type JournalRecord, type JournalEntry } from './runtime/publish-journal.js';
export type { RunReport } from './runtime/report.js';
export { prepare, PlanError, type PreparedPlan } from './runtime/prepare.js';
export { BoundedQueue } from './runtime/queue.js';
export { Redactor, resolveSettings, MissingReferenceError, type SecretSource } from './runtime/secrets.js';
export { REJECT_SCHEMA, type Reject, type RejectKind } from './runtime/rejects.js';
export { runSpecTests, type SpecTestResult, type SpecTestOptions } from './runtime/spec-tests.js';
export { type CsvRecord, type CsvRecordReader } from './runtime/given-file.js';
export type { StepCounts } from './runtime/step-runner.js';
export type * from './connector/connector.js';
