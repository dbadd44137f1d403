/**
 * `npm run simulator -- [--port N] [--http] [--svms svm1,svm2] [--username U]
 * [--password P] [--latency-ms N] [--asa-r2] [--ontap-version R] [--account A]
 * [--timezone ±HH:MM] [--timeout-page-records N] [--sessions svm1=3,svm2=1]
 * [--sessions-relogin]`: serves a simulated cluster until SIGINT
 * or SIGTERM, after printing one line: `ONTAP simulator listening on <url>`. See
 * tools/simulator/README.md.
 */
import { parseAccount } from "./auth";
import { startSimulator } from "./index";
import { parseRelease, RELEASES } from "./releases";
import { parseTimezone } from "./time";
import type { Account, SimulatorOptions } from "./types";

const USAGE = [
  "usage: simulator [--port N] [--http] [--svms svm1,svm2] [--username U] [--password P] [--latency-ms N]",
  `                 [--asa-r2] [--ontap-version <${RELEASES.join(" | ")}>] [--account admin|vsadmin:<svm>]`,
  "                 [--timezone ±HH:MM] [--timeout-page-records N] [--sessions svm1=3,svm2=1]",
  "                 [--sessions-relogin]",
].join("\n");

/** Parses the command line; throws with a message for anything it does not know. */
export function parseArgs(argv: string[]): SimulatorOptions {
  const options: SimulatorOptions = {};
  const number = (flag: string, value: string | undefined): number => {
    if (value === undefined || !/^\d+$/.test(value)) throw new Error(`${flag} needs a non-negative integer`);
    return Number(value);
  };
  const text = (flag: string, value: string | undefined): string => {
    if (value === undefined || value.startsWith("--")) throw new Error(`${flag} needs a value`);
    return value;
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] =
      argv[i].startsWith("--") && argv[i].includes("=") ? argv[i].split(/=(.*)/s) : [argv[i]];
    const value = () => (inline !== undefined ? inline : argv[++i]);
    switch (flag) {
      case "--port":
        options.port = number(flag, value());
        break;
      case "--http":
        options.http = true;
        break;
      case "--svms":
        options.svms = text(flag, value())
          .split(",")
          .map((s) => s.trim())
          .filter((s) => s !== "");
        break;
      case "--username":
        options.username = text(flag, value());
        break;
      case "--password":
        options.password = text(flag, value());
        break;
      case "--latency-ms":
        options.latencyMs = number(flag, value());
        break;
      case "--asa-r2":
        options.asaR2 = true;
        break;
      case "--ontap-version":
        options.ontapVersion = parseRelease(text(flag, value()));
        break;
      case "--account": {
        const account = text(flag, value());
        parseAccount(account);
        options.account = account as Account;
        break;
      }
      case "--timezone":
        options.timezone = parseTimezone(text(flag, value()));
        break;
      case "--timeout-page-records": {
        const n = number(flag, value());
        if (n < 1) throw new Error(`${flag} needs a positive integer`);
        options.timeoutPageRecords = n;
        break;
      }
      case "--sessions": {
        const sessions: Record<string, number> = {};
        for (const pair of text(flag, value()).split(",")) {
          const m = /^\s*([^=\s]+)\s*=\s*(\d+)\s*$/.exec(pair);
          if (!m || Number(m[2]) < 1) throw new Error(`${flag} takes svm=count pairs, e.g. svm1=3,svm2=1`);
          sessions[m[1]] = Number(m[2]);
        }
        options.sessions = sessions;
        break;
      }
      case "--sessions-relogin":
        options.sessionsRelogin = true;
        break;
      default:
        throw new Error(`unknown argument: ${argv[i]}`);
    }
  }
  return options;
}

async function main(): Promise<void> {
  let options: SimulatorOptions;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  const sim = await startSimulator(options);
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
