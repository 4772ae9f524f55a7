// OneRoster 1.1 CSV: the standard as data, the conformance checker, and reading a bundle from
// disk. A subpath of its own (`@sisflow/connectors/oneroster`), so the CSV parser and the zip
// library it needs load only when a bundle is checked, not at every start of the CLI.
export { checkBundle, BUNDLE_CODES, type BundleProblem } from './check.js';
export { readBundle } from './read-bundle.js';
export { groupProblems, problemLines, problemSummary, type ProblemGroup } from './problem-groups.js';
export { FILES as ONEROSTER_FILES, MANIFEST_FILES, GRADES } from './standard.js';
