/**
 * node-fetch, loaded once per process on first use by the client (./client). node-fetch v3
 * is an ES module only, and this package is CommonJS: see ./esm for why it is loaded with a
 * dynamic `import()` (test/package/package.test.ts checks this file's built form for it).
 */

import { loadOnce } from "./esm";

/** node-fetch's `fetch`. */
export type Fetch = typeof import("node-fetch").default;

/**
 * node-fetch's `fetch`: the function itself once it is loaded, before that a promise of it
 * (the first call starts the load; a failed load is tried again by the next call).
 */
export const nodeFetch: () => Fetch | Promise<Fetch> = loadOnce(() =>
  import("node-fetch").then((module) => module.default),
);
