/**
 * Entry of `npm run explore`: the provider's fetch becomes the in-process transport before
 * anything loads the provider, then the command line runs (./cli).
 */
import { installInProcessFetch } from "./transport";

installInProcessFetch();
import("./cli.js")
  .then((cli) => cli.main(process.argv.slice(2)))
  .then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(2);
    },
  );
