// A run history that cannot be opened or used, with its diagnostic code (SF700–SF705): printed as a
// diagnostic by the commands, never as a stack trace, and never with a password in it.
import type { DiagnosticCode } from '@sisflow/core';

export class HistoryError extends Error {
  constructor(
    readonly code: DiagnosticCode,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}
