/**
 * node-fetch, loaded once per process on first use by the client (./client).
 *
 * node-fetch v3 is an ES module only, and this package is CommonJS. A static
 * `import fetch from "node-fetch"` compiles to a `require` of it, which loads an ES module
 * only where Node has require(esm) (20.19+, 22.12+): on Node 22.0–22.11 it throws
 * ERR_REQUIRE_ESM. A dynamic `import()` loads it on every Node. TypeScript leaves the
 * `import()` below as written because tsconfig.json's `module` is `node20` (under
 * `commonjs` it would rewrite it to `require`, and the error would be back);
 * test/package/package.test.ts checks the built file for it.
 */

/** node-fetch's `fetch`. */
export type Fetch = typeof import("node-fetch").default;

let loaded: Fetch | undefined;
let loading: Promise<Fetch> | undefined;

/**
 * node-fetch's `fetch`: the function itself once it is loaded, before that a promise of it
 * (the first call starts the load; a failed load is tried again by the next call).
 */
export function nodeFetch(): Fetch | Promise<Fetch> {
  if (loaded) return loaded;
  loading ??= import("node-fetch").then(
    (module) => {
      loaded = module.default;
      return loaded;
    },
    (err: unknown) => {
      loading = undefined;
      throw err;
    },
  );
  return loading;
}
