// What every semantic check shares: the spec, where its nodes are, the connectors, and the report.
import { diagnostic, type Diagnostic, type RelatedLocation } from '../diagnostics/diagnostic.js';
import type { DiagnosticCode } from '../diagnostics/codes.js';
import { checkExpression, type CheckedExpr, type ExprScope, type ParamValue } from '../expr/check.js';
import { parseExpression } from '../expr/parser.js';
import { contradictions, impossibleComparisons } from '../expr/never-true.js';
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
    const constant = constantHint(text, this.locator.scalarStyle(path));
    if (!parsed.expr || parsed.errors.length > 0) {
      // One broken expression is one mistake: its first syntax error, the rest counted.
      const [err, ...more] = parsed.errors;
      if (err) {
        const d = diagnostic('SF301', err.message, { span: spanAt(err.start, err.end), hint: constant ?? err.hint ?? syntaxHint(text, err.message) });
        if (more.length > 0) d.followers = more.length;
        this.diagnostics.push(d);
      }
      return undefined;
    }
    collectParams(parsed.expr, this.usedParams);
    const { checked, problems } = checkExpression(parsed.expr, scope);
    for (const p of problems) {
      const quotedConstant = p.code === 'SF302' && parsed.expr.kind === 'column' && constant && (this.locator.scalarStyle(path)?.startsWith('QUOTE') || !p.hint?.startsWith('did you mean'));
      this.diagnostics.push(diagnostic(p.code, p.message, { span: spanAt(p.start, p.end), hint: quotedConstant ? constant : p.hint }));
    }
    if (problems.length > 0) return undefined;
    const never = impossibleComparisons(parsed.expr, scope.params);
    for (const p of never) this.diagnostics.push(diagnostic(p.code, p.message, { span: spanAt(p.start, p.end), hint: p.hint }));
    return never.length > 0 ? undefined : checked;
  }

  /** An expression used as a filter: also warns when its `and`-ed parts can never all hold. */
  condition(path: Path, text: string, scope: ExprScope): CheckedExpr | undefined {
    const checked = this.expression(path, text, scope);
    if (!checked) return undefined;
    const offsets = this.locator.scalarOffsets(path);
    for (const p of contradictions(checked.expr, scope.params)) {
      const span = offsets ? this.locator.source.span(offsets[p.start]!, offsets[Math.max(p.start, p.end - 1)]! + 1) : this.locator.valueSpan(path);
      this.diagnostics.push(diagnostic(p.code, p.message, { span, hint: p.hint }));
    }
    return checked;
  }
}

/** Every `$name` an expression refers to. */
function collectParams(node: unknown, into: Set<string>): void {
  if (!node || typeof node !== 'object') return;
  const n = node as { kind?: unknown; name?: unknown };
  if (n.kind === 'param' && typeof n.name === 'string') into.add(n.name);
  for (const v of Object.values(node)) if (v && typeof v === 'object') collectParams(v, into);
}

/**
 * A constant written with YAML quotes only (`Patron Type: "Student"`): YAML takes the quotes, and
 * the expression sees a column name. The fix is both quotes.
 */
function constantHint(text: string, style: string | undefined): string | undefined {
  if (!/^[A-Za-z][\w .&/-]*$/.test(text.trim()) || /\b(and|or|not|in|is|null|true|false)\b/.test(text)) return undefined;
  const how = style?.startsWith('QUOTE') ? 'YAML takes the quotes, so the expression reads a column name. ' : '';
  return `${how}To write the text ${text.trim()}, put single quotes inside YAML quotes: "'${text.trim()}'"`;
}

function syntaxHint(text: string, message: string): string | undefined {
  if (/"/.test(text) && /unexpected/.test(message)) return "text literals use single quotes: 'Student'; double quotes name a column";
  if (/ends too early|end of the expression/.test(message)) return 'the expression is incomplete';
  return undefined;
}
