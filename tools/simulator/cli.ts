/**
 * `npm run simulator -- [flags]` (`--help` lists them): serves a simulated cluster over
 * HTTPS until SIGINT or SIGTERM, after printing one line: `ONTAP simulator listening on <url>`.
 * Flags that break an SVM or the cluster (`--stopped`, `--nvme`, `--iscsi-not-allowed`,
 * `--unlicensed`) make the failures the provider's preflight reports. See
 * tools/simulator/README.md.
 */
import { type CommandLine as Line, parseFlags, readCommandLine } from "../command-line";
import { parseAccount } from "./auth";
import { certsDir } from "./certs";
import { startSimulator } from "./index";
import { parseRelease, RELEASES } from "./releases";
import { parseTimezone } from "./time";
import type { Account, SimulatorOptions, SvmSeed } from "./types";

/**
 * What `--help` prints, and what follows a refused command line.
 * @internal test-only
 */
export const USAGE = [
  "usage: npm run simulator -- [flags]",
  "",
  "Serves a simulated ONTAP cluster's REST API over HTTPS (certificate for 127.0.0.1 and",
  `localhost, signed by the CA ${certsDir()}/ca.pem) until Ctrl-C.`,
  "",
  "  --port N                   listen on 127.0.0.1:N (default: a free port)",
  "  --svms svm1,svm2           the SVMs (default svm1,svm2)",
  "  --username U               HTTP Basic user (default admin)",
  "  --password P               its password (default netapp123)",
  "  --latency-ms N             add N ms to every request",
  `  --ontap-version R          the release personality: ${RELEASES.join(", ")} (default 9.16.1)`,
  "  --account A                admin (default) or vsadmin:<svm> (an SVM-scoped account)",
  "  --timezone ±HH:MM          UTC offset of timestamps (default +00:00)",
  "  --timeout-page-records N   end every collection page after N records",
  "  --sessions svm1=3,svm2=1   hosts logged in to the SVMs' iSCSI targets",
  "  --sessions-relogin         hosts log in again when a service is re-enabled",
  "  --asa-r2                   an ASA r2 system (9.16.1): services cannot be created or deleted",
  "What the provider's preflight fails on:",
  "  --unlicensed               the cluster has no iSCSI license (ONTAP 1115127)",
  "  --stopped svm2,...         these SVMs are stopped (ONTAP 5374893)",
  "  --nvme svm2,...            these SVMs run an NVMe service (ONTAP 5373966)",
  "  --iscsi-not-allowed svm2   iSCSI is not among these SVMs' allowed protocols (ONTAP 2621507; 9.9.1+)",
  "  --help                     this text",
].join("\n");

/** A parsed command line: `--help`, or the options to start the simulator with. */
export type CommandLine = Line<SimulatorOptions>;

const FLAGS = {
  port: { type: "string" },
  svms: { type: "string" },
  username: { type: "string" },
  password: { type: "string" },
  "latency-ms": { type: "string" },
  "asa-r2": { type: "boolean" },
  "ontap-version": { type: "string" },
  account: { type: "string" },
  timezone: { type: "string" },
  "timeout-page-records": { type: "string" },
  sessions: { type: "string" },
  "sessions-relogin": { type: "boolean" },
  unlicensed: { type: "boolean" },
  stopped: { type: "string" },
  nvme: { type: "string" },
  "iscsi-not-allowed": { type: "string" },
  http: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** The SVMs a simulator seeds when `--svms` is absent (as {@link startSimulator} does). */
const DEFAULT_SVMS = ["svm1", "svm2"];

/** Why `--http` is refused: the one thing a user needs instead. */
const NO_HTTP =
  "--http is not offered: the provider connects over HTTPS only, so a plain-HTTP simulator fails at its first request. " +
  `The simulator serves HTTPS; trust its CA with: pulumi config set ontap:caCert ${certsDir()}/ca.pem`;

/**
 * Parses the command line with node:util's parseArgs ({@link parseFlags}; `--timezone -08:00`
 * is a value, not a missing one); throws with a message for anything it does not accept.
 * @internal test-only
 */
export function parseCommandLine(argv: string[]): CommandLine {
  const { values } = parseFlags(argv, FLAGS);
  if (values.help) return { help: true };
  if (values.http) throw new Error(NO_HTTP);

  const options: SimulatorOptions = {};
  const whole = (flag: string, value: string): number => {
    if (!/^\d+$/.test(value)) throw new Error(`--${flag} needs a non-negative integer`);
    return Number(value);
  };
  const list = (value: string) =>
    value
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "");
  if (values.port !== undefined) options.port = whole("port", values.port);
  if (values.svms !== undefined) options.svms = list(values.svms);
  if (values.username !== undefined) options.username = values.username;
  if (values.password !== undefined) options.password = values.password;
  if (values["latency-ms"] !== undefined) options.latencyMs = whole("latency-ms", values["latency-ms"]);
  if (values["asa-r2"]) options.asaR2 = true;
  if (values["ontap-version"] !== undefined) options.ontapVersion = parseRelease(values["ontap-version"]);
  if (values.account !== undefined) {
    parseAccount(values.account);
    options.account = values.account as Account;
  }
  if (values.timezone !== undefined) options.timezone = parseTimezone(values.timezone);
  if (values["timeout-page-records"] !== undefined) {
    const n = whole("timeout-page-records", values["timeout-page-records"]);
    if (n < 1) throw new Error("--timeout-page-records needs a positive integer");
    options.timeoutPageRecords = n;
  }
  if (values.sessions !== undefined) {
    const sessions: Record<string, number> = {};
    for (const pair of values.sessions.split(",")) {
      const m = /^\s*([^=\s]+)\s*=\s*(\d+)\s*$/.exec(pair);
      if (!m || Number(m[2]) < 1) throw new Error("--sessions takes svm=count pairs, e.g. svm1=3,svm2=1");
      sessions[m[1]] = Number(m[2]);
    }
    options.sessions = sessions;
  }
  if (values["sessions-relogin"]) options.sessionsRelogin = true;
  if (values.unlicensed) options.iscsiLicensed = false;

  // The SVM flags turn the named SVMs into seeds; every name must be one of the SVMs.
  const names = (options.svms as string[] | undefined) ?? DEFAULT_SVMS;
  const changes: Array<[flag: string, value: string | undefined, seed: Partial<SvmSeed>]> = [
    ["stopped", values.stopped, { state: "stopped" }],
    ["nvme", values.nvme, { nvmeService: { enabled: true } }],
    ["iscsi-not-allowed", values["iscsi-not-allowed"], { iscsiAllowed: false }],
  ];
  const seeds = new Map<string, SvmSeed>(names.map((name) => [name, { name }]));
  let seeded = false;
  for (const [flag, value, seed] of changes) {
    if (value === undefined) continue;
    const named = list(value);
    if (named.length === 0) throw new Error(`--${flag} needs SVM names, e.g. --${flag} svm2`);
    for (const name of named) {
      const svm = seeds.get(name);
      if (!svm)
        throw new Error(
          `--${flag} names ${name}, which is not one of the SVMs (${names.join(", ")}): add it to --svms`,
        );
      Object.assign(svm, seed);
    }
    seeded = true;
  }
  if (seeded) options.svms = [...seeds.values()];
  return { help: false, options };
}

/**
 * The simulator's options from a command line (`--help` is refused here: see {@link parseCommandLine}).
 * @internal test-only
 */
export function parseArgs(argv: string[]): SimulatorOptions {
  const line = parseCommandLine(argv);
  if (line.help) throw new Error("--help asks for the usage, not a simulator");
  return line.options;
}

async function main(): Promise<void> {
  const line = readCommandLine(process.argv.slice(2), parseCommandLine, USAGE);
  if ("exitCode" in line) process.exit(line.exitCode);
  const sim = await startSimulator(line.options);
  const shutdown = () => {
    void sim.stop().then(() => process.exit(0));
  };
  // Handlers first: whoever reads the line may signal at once.
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
  process.stdout.write(`ONTAP simulator listening on ${sim.url}\n`);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`ONTAP simulator failed to start: ${(e as Error).message}\n`);
    process.exit(1);
  });
}
