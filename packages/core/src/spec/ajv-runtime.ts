// The few helpers of ajv that its compiled validators call (deep equality for `uniqueItems`, string
// length in code points for `minLength`), for the validators generated ahead of time. Node hands an
// ES module a CommonJS module's exports object as its default; a bundler may hand its `default`.
import equalModule from 'ajv/dist/runtime/equal.js';
import ucs2lengthModule from 'ajv/dist/runtime/ucs2length.js';

type Helper = (...args: never[]) => unknown;
const helper = (m: unknown): Helper => (typeof m === 'function' ? m : (m as { default: Helper }).default) as Helper;

/** ajv's runtime helpers by the name of their module under ajv/dist/runtime. */
export const AJV_RUNTIME: Record<string, Helper> = {
  equal: helper(equalModule),
  ucs2length: helper(ucs2lengthModule),
};
