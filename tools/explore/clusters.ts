/**
 * The two simulated clusters of a story (./story CLUSTERS), served in process: where each
 * management address routes, the stack config that reaches them, and what an administrator
 * does to them outside Pulumi (events, faults, how jobs behave).
 */
import { type SimulatorInstance, startSimulator } from "../simulator";
import { readCert } from "../simulator/certs";
import type { FaultSpec } from "../simulator/types";
import {
  ALIASES,
  CLUSTERS,
  type ClusterStart,
  type FaultSpecGen,
  type JobMode,
  type OutOfBand,
} from "./story";

const PASSWORD = "Explore-7hQ!pw";
const CA = readCert("ca.pem");

/** The virtual wait for a job before a create records it as pending (`ontap:jobTimeoutMs`). */
export const JOB_TIMEOUT_MS = 2_000;

/** `ontap:timeoutMs`: only a request that is never answered (a `hang` fault) lasts this long. */
export const REQUEST_TIMEOUT_MS = 30_000;

const FAULT_PATHS: Record<FaultSpecGen["target"], RegExp> = {
  service: /^\/api\/protocols\/san\/iscsi\/services\/[^/]+$/,
  services: /^\/api\/protocols\/san\/iscsi\/services$/,
  sessions: /^\/api\/protocols\/san\/iscsi\/sessions$/,
  svms: /^\/api\/svm\/svms/,
  jobs: /^\/api\/cluster\/jobs\//,
};

function connection(host: string): Record<string, string> {
  return {
    host,
    username: "admin",
    password: PASSWORD,
    caCert: CA,
    jobTimeoutMs: String(JOB_TIMEOUT_MS),
    timeoutMs: String(REQUEST_TIMEOUT_MS),
  };
}

/** The clusters of one story. */
export class Clusters {
  #hosts = 0;

  private constructor(
    readonly sims: SimulatorInstance[],
    /** Requests a simulator did not expect (an unknown path): a defect of the explorer or the provider. */
    readonly unexpected: string[],
  ) {}

  /** Starts both clusters as `starts` describes them. */
  static async start(starts: ClusterStart[]): Promise<Clusters> {
    const unexpected: string[] = [];
    const sims = await Promise.all(
      CLUSTERS.map((cluster, c) =>
        startSimulator({
          http: true,
          password: PASSWORD,
          svms: cluster.svms.map((svm, i) => {
            const service = starts[c]?.services.find((s) => s.svm === i);
            return {
              ...svm,
              ...(service
                ? { service: { enabled: service.enabled, alias: ALIASES[service.alias] ?? svm.name } }
                : {}),
            };
          }),
          onUnexpected: (line) => unexpected.push(line),
        }),
      ),
    );
    const clusters = new Clusters(sims, unexpected);
    starts.forEach((start, c) => {
      for (const { svm, hosts } of start.sessions) clusters.login(c, svm, hosts);
    });
    return clusters;
  }

  /** The simulator serving a management address, if any. */
  simFor(host: string): SimulatorInstance | undefined {
    const c = this.clusterOfHost(host);
    return c === undefined ? undefined : this.sims[c];
  }

  /** The cluster (index) a management address reaches. */
  clusterOfHost(host: string): number | undefined {
    const i = CLUSTERS.findIndex((cluster) => cluster.hosts.includes(host));
    return i < 0 ? undefined : i;
  }

  /** The current name of a seeded SVM. */
  readonly svmName = (cluster: number, svm: number): string =>
    this.sims[cluster].svm(CLUSTERS[cluster].svms[svm].uuid)?.name ?? CLUSTERS[cluster].svms[svm].name;

  /** The stack config: the default connection on cluster a, profiles "west" (a again) and "east" (b). */
  config(preflight: boolean): Record<string, string> {
    const a = CLUSTERS[0].hosts;
    const defaults = connection(a[0]);
    return {
      ...Object.fromEntries(Object.entries(defaults).map(([k, v]) => [`ontap:${k}`, v])),
      "ontap:clusters": JSON.stringify({ west: connection(a[1]), east: connection(CLUSTERS[1].hosts[0]) }),
      "ontap:preflight": String(preflight),
    };
  }

  /** Applies an event; returns what happened, or undefined when it does not apply now (no service to delete, ...). */
  apply(event: OutOfBand): string | undefined {
    const sim = this.sims[event.cluster];
    const where = `cluster ${"ab"[event.cluster]}`;
    if (event.kind === "finish-jobs") return `${where}: ${sim.finishJobs()} held job(s) end`;
    if (event.kind === "purge-jobs") return `${where}: ${sim.purgeJobs()} finished job(s) purged`;
    const uuid = CLUSTERS[event.cluster].svms[event.svm].uuid;
    const svm = sim.svm(uuid);
    if (!svm) return undefined;
    const service = sim.service(uuid);
    const label = `${where}, SVM "${svm.name}"`;
    switch (event.kind) {
      case "create-service": {
        if (service) return undefined;
        const alias = ALIASES[event.alias] || svm.name;
        sim.outOfBand.createService(uuid, { enabled: event.enabled, alias });
        return `${label}: an administrator creates the service (enabled ${event.enabled}, alias "${alias}")`;
      }
      case "delete-service":
        if (!service) return undefined;
        sim.outOfBand.deleteService(uuid);
        return `${label}: an administrator deletes the service`;
      case "set-enabled":
        if (!service || service.enabled === event.enabled) return undefined;
        sim.outOfBand.setEnabled(uuid, event.enabled);
        return `${label}: an administrator ${event.enabled ? "enables" : "disables"} the service`;
      case "set-alias": {
        const alias = ALIASES[event.alias] ?? "admin-alias";
        if (!service || service.alias === alias) return undefined;
        sim.outOfBand.setAlias(uuid, alias);
        return `${label}: an administrator sets the alias "${alias}"`;
      }
      case "login":
        this.login(event.cluster, event.svm, event.hosts);
        return `${label}: ${event.hosts} host(s) log in`;
      case "logout": {
        const ended = sim.outOfBand.endSessions(uuid);
        return ended > 0 ? `${label}: hosts log out (${ended} session(s))` : undefined;
      }
      case "svm-state":
        if (svm.state === event.state) return undefined;
        sim.outOfBand.setSvmState(uuid, event.state);
        return `${label}: ${event.state === "stopped" ? "vserver stop" : "vserver start"}`;
      case "rename-svm": {
        const seed = CLUSTERS[event.cluster].svms[event.svm].name;
        const next = svm.name === seed ? `${seed}-dr` : seed;
        sim.outOfBand.renameSvm(uuid, next);
        return `${label}: vserver rename to "${next}"`;
      }
    }
  }

  /** Faults for the next run, on each cluster's matching requests. */
  injectFaults(faults: FaultSpecGen[]): void {
    for (const f of faults) {
      const spec: FaultSpec =
        f.kind === "429" || f.kind === "503"
          ? { kind: "http-error", status: Number(f.kind) }
          : { kind: f.kind };
      if (f.method !== "any") spec.method = f.method;
      spec.path = FAULT_PATHS[f.target];
      spec.times = f.times;
      this.sims[f.cluster].injectFault(spec);
    }
  }

  clearFaults(): void {
    for (const sim of this.sims) sim.clearFaults();
  }

  /** How writes run from now on, on both clusters. */
  setJobs(jobs: JobMode): void {
    for (const sim of this.sims) {
      if (jobs.mode === "sync") sim.setAsyncJobs(false);
      else if (jobs.mode === "late") sim.setAsyncJobs(true, jobs.delayMs);
      else sim.setAsyncJobs(true, 0, { held: true });
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.sims.map((sim) => sim.stop()));
  }

  /** Hosts named after their cluster and SVM (`a-svm2-h3`), so that a warning's host list can be checked. */
  private login(cluster: number, svm: number, hosts: number): void {
    const seed = CLUSTERS[cluster].svms[svm];
    const sim = this.sims[cluster];
    sim.outOfBand.addSessions(
      Array.from({ length: hosts }, () => {
        const host = `${"ab"[cluster]}-${seed.name}-h${++this.#hosts}`;
        return { svm: seed.uuid, initiator: { name: `iqn.2025-01.test.explore:${host}`, alias: host } };
      }),
    );
  }
}
