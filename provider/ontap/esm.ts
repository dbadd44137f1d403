/**
 * Loading an ES-module-only dependency (node-fetch in ./fetch; p-retry in ./retry, on the
 * Node versions that cannot `require` it) from this CommonJS package, once per process.
 *
 * A static `import x from "esm-only"` compiles to a `require` of it, which loads an ES module
 * only where Node has require(esm) (20.19+, 22.12+): on Node 22.0–22.11 it throws
 * ERR_REQUIRE_ESM. A dynamic `import()` loads it on every Node. TypeScript leaves an
 * `import()` as written because tsconfig.json's `module` is `node20` (under `commonjs` it
 * would rewrite it to `require`, and the error would be back); test/package/package.test.ts
 * checks the built files for it. Each caller writes its own `import("…")`, so that the
 * specifier stays a literal the bundlers and that test can see.
 */

/**
 * A loader for what `load` imports: the value itself once it is loaded, before that a
 * promise of it (the first call starts the load; a failed load is tried again by the next
 * call). Synchronous once loaded, so a caller that checks waits on the load only once.
 */
export function loadOnce<T>(load: () => Promise<T>): () => T | Promise<T> {
  let loaded: { value: T } | undefined;
  let loading: Promise<T> | undefined;
  return () => {
    if (loaded) return loaded.value;
    loading ??= load().then(
      (value) => {
        loaded = { value };
        return value;
      },
      (err: unknown) => {
        loading = undefined;
        throw err;
      },
    );
    return loading;
  };
}
