/**
 * Attributes this process's CPU samples to the provider's own code, to the HTTP transport
 * under it, or to neither, using V8's sampling profiler (node:inspector, in-process).
 *
 * A sample counts as the provider's when, walking from the innermost frame outwards, the
 * first frame that is either the provider's (compiled `provider/` and `sdk/`) or the
 * transport's (node-fetch; Node's http, https, net, tls and stream internals) is the
 * provider's. So JSON.parse, URL building, hashing, certificate parsing and the retry loop
 * in the provider count as its own; socket writes, TLS, HTTP parsing and the streams that
 * node-fetch drives count as transport; garbage collection, the event loop and microtask
 * plumbing without a provider or transport frame count as neither.
 */
import { Session } from "node:inspector/promises";
import * as path from "node:path";
import { repoRoot } from "../paths";

/** The parts of V8's `Profiler.Profile` read here. */
interface Profile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string }; children?: number[] }>;
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Milliseconds of sampled CPU, by whose code was running. */
export interface Attribution {
  own: number;
  transport: number;
  other: number;
}

type Owner = keyof Attribution | "idle";

const OWN_DIRS = ["provider", "sdk"].map((dir) => `${path.join(repoRoot, "dist", dir)}${path.sep}`);
const TRANSPORT_PACKAGES = ["node-fetch", "fetch-blob", "formdata-polyfill", "data-uri-to-buffer"].map(
  (name) => `${path.sep}node_modules${path.sep}${name}${path.sep}`,
);
const TRANSPORT_NODE =
  /^node:(?:_http_\w+|http|https|net|tls|_tls_\w+|stream|internal\/(?:streams|stream_base_commons|http|net|tls|abort_controller|webstreams|js_stream_socket)\b)/;

function ownerOfFrame(url: string): Owner | undefined {
  const file = url.startsWith("file://") ? decodeURIComponent(url.slice("file://".length)) : url;
  if (OWN_DIRS.some((dir) => file.startsWith(dir))) return "own";
  if (TRANSPORT_PACKAGES.some((dir) => file.includes(dir)) || TRANSPORT_NODE.test(url)) return "transport";
  return undefined;
}

/** Profiles this process while `run` works; `windows` then yields the attribution of each [start, end). */
export async function profile<T>(
  run: (mark: () => bigint) => Promise<T>,
): Promise<{ value: T; attribute(start: bigint, end: bigint): Attribution }> {
  const session = new Session();
  session.connect();
  try {
    await session.post("Profiler.enable");
    await session.post("Profiler.setSamplingInterval", { interval: 50 });
    await session.post("Profiler.start");
    const value = await run(() => process.hrtime.bigint());
    const { profile: result } = (await session.post("Profiler.stop")) as { profile: Profile };
    const samples = timeline(result);
    return {
      value,
      attribute(start, end) {
        // V8's profile clock and hrtime are both the monotonic clock (µs vs ns).
        const from = Number(start / 1000n);
        const to = Number(end / 1000n);
        const sum: Attribution = { own: 0, transport: 0, other: 0 };
        for (const sample of samples) {
          if (sample.at < from || sample.at >= to || sample.owner === "idle") continue;
          sum[sample.owner] += sample.us / 1000;
        }
        return sum;
      },
    };
  } finally {
    session.disconnect();
  }
}

/** Each sample's time, duration (until the next sample) and owner. */
function timeline(result: Profile): Array<{ at: number; us: number; owner: Owner }> {
  const byId = new Map(result.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of result.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const owners = new Map<number, Owner>();
  const ownerOf = (id: number): Owner => {
    const known = owners.get(id);
    if (known) return known;
    const name = byId.get(id)?.callFrame.functionName;
    let owner: Owner = name === "(idle)" ? "idle" : "other";
    for (let at: number | undefined = id; at !== undefined && owner !== "idle"; at = parent.get(at)) {
      const found = ownerOfFrame(byId.get(at)?.callFrame.url ?? "");
      if (found) {
        owner = found;
        break;
      }
    }
    owners.set(id, owner);
    return owner;
  };
  const samples: Array<{ at: number; us: number; owner: Owner }> = [];
  let at = result.startTime;
  for (let i = 0; i < result.samples.length; i++) {
    at += result.timeDeltas[i] ?? 0;
    samples.push({ at, us: result.timeDeltas[i + 1] ?? 0, owner: ownerOf(result.samples[i]) });
  }
  return samples;
}
