/**
 * Measures the requests a preview of N new services costs on one cluster, through the
 * provider directly (check() one resource at a time, as the engine calls it):
 * `node dist/test/releases/measure-preflight.js [release] [account]`.
 */
import { parseFlags } from "../../tools/command-line";
import { startCluster } from "../support/cluster";

async function main(): Promise<void> {
  const { positionals } = parseFlags(process.argv.slice(2), {}, { positionals: true });
  if (positionals.length > 2) throw new Error("usage: measure-preflight [release] [account]");
  const [release = "9.16.1", account = "admin"] = positionals;
  for (const n of [1, 2, 10, 1000]) {
    const svms = Array.from({ length: n }, (_, i) => `svm${i + 1}`);
    const c = await startCluster({ ontapVersion: release as never, account: account as never, svms });
    const started = Date.now();
    for (const svmName of svms) await c.provider.check({}, { svmName });
    const paths = c.sim.requests.map((r) => `${r.method} ${r.path}`);
    const byPath: Record<string, number> = {};
    for (const p of paths) byPath[p] = (byPath[p] ?? 0) + 1;
    console.log(
      `${release} ${account} N=${n}: ${paths.length} requests in ${Date.now() - started} ms ${JSON.stringify(byPath)}`,
    );
    if (n === 2) for (const line of c.logs) console.log(`  ${line}`);
    await c.stop();
  }
}

void main();
