import { type IscsiServiceInputs, IscsiServiceProvider } from "../../provider";
import { startSimulator } from "../../tools/simulator";
import type { Simulator, SimulatorOptions } from "../../tools/simulator/types";

/** A simulator plus a provider configured against it, as the Pulumi host would configure it. */
export interface TestCluster {
  sim: Simulator;
  provider: IscsiServiceProvider;
  /** Every line the provider logged ("warn: …" / "debug: …"). */
  logs: string[];
  /** Stack config the provider was configured with (by "ontap:key"). */
  config: Record<string, unknown>;
  /** Reconfigures the provider with these keys changed (undefined removes a key). */
  reconfigure(changes: Record<string, unknown>): Promise<void>;
  /**
   * Starts the next engine operation: a new provider, configured alike, as the engine starts
   * a new provider process per operation (a provider instance serves one run).
   */
  newRun(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts a simulator on port 0 and a provider whose stack config points at it over verified HTTPS. */
export async function startCluster(
  options: SimulatorOptions = {},
  extraConfig: Record<string, unknown> = {},
): Promise<TestCluster> {
  const sim = await startSimulator(options);
  const logs: string[] = [];
  const newProvider = () =>
    new IscsiServiceProvider({
      env: {},
      logger: { debug: (m) => logs.push(`debug: ${m}`), warn: (m) => logs.push(`warn: ${m}`) },
    });
  let provider = newProvider();
  const config: Record<string, unknown> = {
    "ontap:host": sim.host,
    "ontap:username": options.username ?? "admin",
    "ontap:password": options.password ?? "netapp123",
    "ontap:caCert": sim.caCert,
    "ontap:timeoutMs": "5000",
    ...extraConfig,
  };
  const configure = () => provider.configure({ config: { get: (key: string) => config[key] } });
  await configure();
  return {
    sim,
    get provider() {
      return provider;
    },
    logs,
    config,
    async reconfigure(changes) {
      for (const [key, value] of Object.entries(changes)) {
        if (value === undefined) delete config[key];
        else config[key] = value;
      }
      await configure();
    },
    async newRun() {
      provider = newProvider();
      await configure();
    },
    stop: () => sim.stop(),
  };
}

/** The writes (POST/PATCH/DELETE) the simulator saw, as "METHOD path-tail body". */
export function writes(sim: Simulator): string[] {
  return sim.requests
    .filter((r) => r.method !== "GET")
    .map((r) => `${r.method} ${r.body === undefined ? "" : JSON.stringify(r.body)}`.trim());
}

/** Checked inputs for a service on svm1 (defaults as `check` applies them), with changes. */
export function inputs(extra: Partial<IscsiServiceInputs> = {}): IscsiServiceInputs {
  return { svmName: "svm1", enabled: true, adopt: false, ...extra };
}
