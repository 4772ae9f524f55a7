// What every semantic check shares: the spec, where its nodes are, the connectors, and the report.
import { diagnostic, type Diagnostic, type RelatedLocation } from '../diagnostics/diagnostic.js';
import type { DiagnosticCode } from '../diagnostics/codes.js';
import { checkExpression, type CheckedExpr, type ExprScope, type ParamValue } from '../expr/check.js';
import { parseExpression } from '../expr/parser.js';
import type { ConnectorRegistry } from '../connector/registry.js';
import type { Locator, Path } from '../spec/locate.js';
import type { Spec } from '../spec/spec.js';

export class CheckContext {
  readonly diagnostics: Diagnostic[] = [];
  /** Parameters some expression or setting refers to, for the unused-parameter warning. */
  readonly usedParams = new Set<string>();
  /** The resolved parameter values, once known: `${param:NAME}` in settings is replaced by them. */
  params: ReadonlyMap<string, ParamValue> = new Map();

  constructor(
    readonly spec: Spec,
    readonly locator: Locator,
    readonly registry: ConnectorRegistry,
  ) {}

  /** Reports at the value of path. */
  report(code: DiagnosticCode, message: string, path: Path, hint?: string, related?: RelatedLocation[]): void {
    this.diagnostics.push(diagnostic(code, message, { span: this.locator.valueSpan(path), hint, related }));
  }

  /** Reports at the key naming path (for "unknown …" / "defined twice"). */
  reportKey(code: DiagnosticCode, message: string, path: Path, hint?: string, related?: RelatedLocation[]): void {
    this.diagnostics.push(diagnostic(code, message, { span: this.locator.keySpan(path), hint, related }));
  }

  related(message: string, path: Path): RelatedLocation {
    return { message, span: this.locator.keySpan(path) };
  }

  /** Parses and type-checks the expression at path, reporting problems at their characters in the file. */
  expression(path: Path, text: string, scope: ExprScope): CheckedExpr | undefined {
    const offsets = this.locator.scalarOffsets(path);
    const spanAt = (start: number, end: number) => {
      if (!offsets) return this.locator.valueSpan(path);
      const s = offsets[Math.min(start, offsets.length - 1)]!;
      const e = end > start ? offsets[Math.min(end - 1, offsets.length - 1)]! + 1 : s;
      return this.locator.source.span(s, e);
    };
    const parsed = parseExpression(text);
    if (!parsed.expr || parsed.errors.length > 0) {
      for (const err of parsed.errors) {
        this.diagnostics.push(diagnostic('SF301', err.message, { span: spanAt(err.start, err.end), hint: syntaxHint(text, err.message) }));
      }
      return undefined;
    }
    collectParams(parsed.expr, this.usedParams);
    const { checked, problems } = checkExpression(parsed.expr, scope);
    for (const p of problems) this.diagnostics.push(diagnostic(p.code, p.message, { span: spanAt(p.start, p.end), hint: p.hint }));
    return problems.length > 0 ? undefined : checked;
  }
}

/** Every `$name` an expression refers to. */
function collectParams(node: unknown, into: Set<string>): void {
  if (!node || typeof node !== 'object') return;
  const n = node as { kind?: unknown; name?: unknown };
  if (n.kind === 'param' && typeof n.name === 'string') into.add(n.name);
  for (const v of Object.values(node)) if (v && typeof v === 'object') collectParams(v, into);
}

function syntaxHint(text: string, message: string): string | undefined {
  if (/"/.test(text) && /unexpected/.test(message)) return "text literals use single quotes: 'Student'; double quotes name a column";
  if (/ends too early|end of the expression/.test(message)) return 'the expression is incomplete';
  return undefined;
}
