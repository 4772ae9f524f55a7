// A fleet that cannot start (a bad queue URL, two projects of one district, a project without a
// shared history), with its diagnostic code (SF703–SF705); printed as a diagnostic, never a stack.
import type { DiagnosticCode } from '@sisflow/core';

export class FleetError extends Error {
  constructor(
    readonly code: DiagnosticCode,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}
