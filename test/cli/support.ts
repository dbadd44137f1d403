/**
 * What the CLI suites share: the CLI (found or built once per mocha run), stacks of a
 * program pointed at a simulator over verified HTTPS, and readings of what the CLI printed.
 */
import { CliStack, type CliStackOptions, findPulumiCli, type PulumiCli } from "../../tools/pulumi-cli/cli";
import type { Simulator } from "../../tools/simulator/types";

let found: PulumiCli | undefined;

/** The CLI of this run; built by tools/pulumi-cli/install.sh when none is found. Says which, once. */
export function pulumiCli(): PulumiCli {
  if (!found) {
    found = findPulumiCli({ build: true });
    if (!found) throw new Error("no Pulumi CLI: tools/pulumi-cli/install.sh found and built none");
    console.log(`    (CLI suite: pulumi ${found.version} from ${found.origin}: ${found.binDir})`);
  }
  return found;
}

/** A new stack of `programDir` whose `ontap:*` config points at `sim` (password secret, CA verified). */
export async function simulatorStack(
  sim: Simulator,
  password: string,
  programDir: string,
  options: Partial<CliStackOptions> = {},
): Promise<CliStack> {
  const stack = await CliStack.create({ cli: pulumiCli(), programDir, ...options });
  await connectStack(stack, sim, password);
  return stack;
}

/** Points the stack's default connection at `sim`, with the CLI's own `config set` commands. */
export async function connectStack(stack: CliStack, sim: Simulator, password: string): Promise<void> {
  if (!sim.caCert) throw new Error("the CLI suites run over HTTPS");
  await stack.setConfigs({ "ontap:host": sim.host, "ontap:username": "admin", "ontap:caCert": sim.caCert });
  await stack.setConfig("ontap:password", password, { secret: true });
}

/**
 * The CLI's last "Resources:" block as counts, e.g. {created: 2} or {unchanged: 2} (`up`
 * prints the preview's block, then the update's).
 */
export function resourceSummary(output: string): Record<string, number> {
  const block =
    output
      .split(/^Resources:$/m)
      .at(-1)
      ?.split(/^\S/m)[0] ?? "";
  const counts: Record<string, number> = {};
  // Every count of a line: "2 changes. 1 unchanged" is {changes: 2, unchanged: 1}.
  for (const m of block.matchAll(/(\d+) (to \w+|\w+)/g)) counts[m[2]] = Number(m[1]);
  return counts;
}
