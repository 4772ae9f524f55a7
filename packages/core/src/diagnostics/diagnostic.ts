// The one type for every problem sisflow finds before running a job.
import { describeCode, type DiagnosticCode } from './codes.js';
import { USUAL_FIX } from './fixes.js';

export type Severity = 'error' | 'warning' | 'info';

export interface Position {
  /** 1-based line. */
  line: number;
  /** 1-based column, counted in UTF-16 code units like editors do. */
  col: number;
  /** 0-based offset into the file text. */
  offset: number;
}

export interface Span {
  file: string;
  start: Position;
  end: Position;
}

export interface RelatedLocation {
  message: string;
  span: Span;
}

export interface Diagnostic {
  code: DiagnosticCode;
  severity: Severity;
  message: string;
  span?: Span;
  hint?: string;
  related?: RelatedLocation[];
  /** How many further problems follow from this one and were not reported (a dedented block). */
  followers?: number;
}

export interface DiagnosticInit {
  span?: Span | undefined;
  hint?: string | undefined;
  related?: RelatedLocation[] | undefined;
  severity?: Severity;
}

/** Builds a diagnostic whose severity comes from the code catalog unless overridden. */
export function diagnostic(code: DiagnosticCode, message: string, init: DiagnosticInit = {}): Diagnostic {
  const d: Diagnostic = { code, severity: init.severity ?? describeCode(code).severity, message };
  if (init.span) d.span = init.span;
  const hint = init.hint || USUAL_FIX[code];
  if (hint) d.hint = hint;
  if (init.related && init.related.length > 0) d.related = init.related;
  return d;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Stable order: by file, then position, then code, so output never depends on check order. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort((a, b) => {
    const fa = a.span?.file ?? '';
    const fb = b.span?.file ?? '';
    if (fa !== fb) return fa < fb ? -1 : 1;
    const oa = a.span?.start.offset ?? -1;
    const ob = b.span?.start.offset ?? -1;
    if (oa !== ob) return oa - ob;
    return a.code < b.code ? -1 : a.code > b.code ? 1 : 0;
  });
}

/** What every pure stage returns: a value when it could make one, and what it found. */
export interface Result<T> {
  value?: T;
  diagnostics: Diagnostic[];
}
