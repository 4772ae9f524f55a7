// `@sisflow/core/reading`: what a source's reader needs from core at run time and nothing more.
// The reading worker (connectors' source-worker/) loads this instead of the whole library: a worker
// that imported the package's index held about 8 MB more of heap (measured with its CSV reader).
export { cellParser, type CellOptions } from './runtime/parse-cell.js';
export { RowError } from './expr/row-error.js';
export { editDistance } from './diagnostics/suggest.js';
