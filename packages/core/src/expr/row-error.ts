// A value-level failure inside an expression (bad number, bad date): the row goes to rejects with this reason.

export class RowError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RowError';
  }
}
