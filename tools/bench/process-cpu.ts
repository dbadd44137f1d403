/**
 * CPU time of a command and of every process it starts, by kind of process, read from
 * Linux's /proc while the command runs. `pulumi` starts its plugins in process groups of
 * their own, so the tree is followed through /proc/<pid>/task/<tid>/children, not by group.
 */
import * as fs from "node:fs";

/** CPU ms (user + system) of one command, by kind of process. */
export interface ProcessCpu {
  /** The `pulumi` process: the engine, the checkpoint writes, the display. */
  engine: number;
  /** The Node.js program (`@pulumi/pulumi/cmd/run`): registering the resources. */
  program: number;
  /**
   * The provider's process, where the provider's own code runs: the dynamic-provider host
   * (`@pulumi/pulumi/cmd/dynamic-provider`), or the plugin (`bin/pulumi-resource-ontap`).
   */
  host: number;
  /** Everything else: the language hosts, the plugin's launcher script, `node -e` probes. */
  other: number;
  total: number;
}

/** What a process is, from its command line. */
function kindOf(commandLine: string, engine: string): Exclude<keyof ProcessCpu, "total"> {
  if (commandLine.includes("/cmd/dynamic-provider") || commandLine.includes("/pulumi-resource-ontap\0"))
    return "host";
  if (commandLine.includes("/cmd/run")) return "program";
  if (commandLine.startsWith(`${engine}\0`)) return "engine";
  return "other";
}

/** utime + stime of a process, in clock ticks (USER_HZ, 100 on Linux), or undefined once it is gone. */
function ticksOf(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

function childrenOf(pid: number): number[] {
  try {
    return fs
      .readdirSync(`/proc/${pid}/task`)
      .flatMap((tid) => fs.readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8").split(" "))
      .filter((s) => s !== "")
      .map(Number);
  } catch {
    return [];
  }
}

/** Whether this machine has what {@link sampleProcessCpu} reads. */
export function processCpuAvailable(): boolean {
  return fs.existsSync(`/proc/${process.pid}/task/${process.pid}/children`);
}

const TICK_MS = 10;

/**
 * Samples the CPU time of `root` and its descendants every `intervalMs` until `stop()`,
 * which returns the totals. Each process counts with its last sample: the work of its last
 * interval before it exits is missed, so the numbers are a lower bound (within a tick or
 * two per process of the truth for processes that live seconds).
 */
export function sampleProcessCpu(root: number, engine: string, intervalMs = 100): { stop(): ProcessCpu } {
  const seen = new Map<number, { kind: ReturnType<typeof kindOf>; ticks: number }>();
  const sample = () => {
    const queue = [root, ...seen.keys()];
    const visited = new Set<number>();
    while (queue.length > 0) {
      const pid = queue.pop() as number;
      if (visited.has(pid)) continue;
      visited.add(pid);
      const ticks = ticksOf(pid);
      if (ticks === undefined) continue;
      let commandLine: string;
      try {
        // Read each time: a launcher script that execs node keeps its pid and changes its command line.
        commandLine = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
      } catch {
        continue;
      }
      const previous = seen.get(pid);
      // A zombie's command line is empty: it keeps the kind it had.
      const kind = commandLine === "" && previous ? previous.kind : kindOf(commandLine, engine);
      seen.set(pid, { kind, ticks: Math.max(previous?.ticks ?? 0, ticks) });
      queue.push(...childrenOf(pid));
    }
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      const cpu: ProcessCpu = { engine: 0, program: 0, host: 0, other: 0, total: 0 };
      for (const { kind, ticks } of seen.values()) cpu[kind] += ticks * TICK_MS;
      cpu.total = cpu.engine + cpu.program + cpu.host + cpu.other;
      return cpu;
    },
  };
}
