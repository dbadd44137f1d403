/**
 * The cluster the simulator holds: SVMs, their iSCSI services, the iSCSI license.
 * Plain data plus the invariants ONTAP keeps (one service per SVM, IQN per SVM).
 */
import { randomUUID } from "node:crypto";
import type { OntapRelease } from "./releases";
import { formatTimestamp } from "./time";
import type { ServiceState, SvmSeed, SvmState } from "./types";

/** An SVM as the cluster holds it; `vsId` is ONTAP's vserver id, the `vs.<n>` of its IQN. */
export interface Svm {
  uuid: string;
  name: string;
  state: SvmState["state"];
  iscsiAllowed: boolean;
  nvmeAllowed: boolean;
  /** The SVM's NVMe service, when it has one (it blocks iSCSI: 5373966). */
  nvmeService: { enabled: boolean } | undefined;
  vsId: number;
}

/** A service as the cluster holds it. */
export interface Service {
  svmUuid: string;
  enabled: boolean;
  alias: string;
  /** Epoch ms from which performance samples exist (see metrics.ts). */
  metricsSince: number;
}

/** A year and a bit: services that predate the simulator have a full year of samples. */
const PREEXISTING_HISTORY_MS = 400 * 24 * 3600 * 1000;

/** Cluster-wide settings. */
export interface ClusterSettings {
  asaR2: boolean;
  iscsiLicensed: boolean;
  release: OntapRelease;
  /** UTC offset of the cluster's timestamps, e.g. "+00:00". */
  timezone: string;
  /** Where `return_timeout` cuts a collection page (records), if anywhere. */
  timeoutPageRecords: number | undefined;
}

/** The simulated cluster's state. */
export class Cluster {
  readonly name = "sim-cluster";
  readonly uuid = randomUUID();
  readonly startedAt = Date.now();
  /** The node that runs jobs. */
  readonly node = { name: "sim-cluster-01", uuid: randomUUID() };
  readonly svms = new Map<string, Svm>();
  readonly services = new Map<string, Service>();
  private nextVsId = 2;

  constructor(readonly settings: ClusterSettings) {}

  /**
   * Adds an SVM. `preexisting` services (seeded ones) have a full metrics history; on
   * ASA r2 every SVM gets its service (enabled) whether the seed names one or not.
   */
  addSvm(seed: SvmSeed, preexisting: boolean): Svm {
    if (!seed.name) throw new Error("SvmSeed.name is required");
    if (this.findSvm(seed.name)) throw new Error(`SVM "${seed.name}" already exists`);
    const uuid = seed.uuid ?? randomUUID();
    if (this.svms.has(uuid)) throw new Error(`an SVM with UUID ${uuid} already exists`);
    const nvmeService = seed.nvmeService ?? (seed.nvmeConfigured ? { enabled: true } : undefined);
    const svm: Svm = {
      uuid,
      name: seed.name,
      state: seed.state ?? "running",
      iscsiAllowed: seed.iscsiAllowed ?? true,
      nvmeAllowed: seed.nvmeAllowed ?? true,
      nvmeService: nvmeService && { enabled: nvmeService.enabled ?? true },
      vsId: this.nextVsId++,
    };
    this.svms.set(uuid, svm);
    const service = seed.service ?? (this.settings.asaR2 ? {} : undefined);
    if (service) this.createService(svm, service, preexisting);
    return svm;
  }

  /** By UUID or name. */
  findSvm(nameOrUuid: string): Svm | undefined {
    const byUuid = this.svms.get(nameOrUuid);
    if (byUuid) return byUuid;
    for (const svm of this.svms.values()) if (svm.name === nameOrUuid) return svm;
    return undefined;
  }

  /** Like findSvm, but throws for tests that name an SVM that is not there. */
  requireSvm(nameOrUuid: string): Svm {
    const svm = this.findSvm(nameOrUuid);
    if (!svm) throw new Error(`no SVM "${nameOrUuid}" in the simulator`);
    return svm;
  }

  createService(svm: Svm, opts: { enabled?: boolean; alias?: string }, preexisting: boolean): Service {
    const service: Service = {
      svmUuid: svm.uuid,
      enabled: opts.enabled ?? true,
      alias: opts.alias ?? svm.name,
      metricsSince: preexisting ? this.startedAt - PREEXISTING_HISTORY_MS : Date.now(),
    };
    this.services.set(svm.uuid, service);
    return service;
  }

  /** A timestamp in the cluster's UTC offset. */
  timestamp(ms: number): string {
    return formatTimestamp(ms, this.settings.timezone);
  }

  /** ONTAP's IQN: the SVM's UUID without dashes as serial, and its vserver id. */
  iqn(svm: Svm): string {
    return `iqn.1992-08.com.netapp:sn.${svm.uuid.replace(/-/g, "").toLowerCase()}:vs.${svm.vsId}`;
  }

  /** A copy of a service's state, for the in-process API. */
  serviceState(service: Service): ServiceState {
    const svm = this.requireSvm(service.svmUuid);
    return {
      svmUuid: svm.uuid,
      svmName: svm.name,
      enabled: service.enabled,
      alias: service.alias,
      iqn: this.iqn(svm),
    };
  }

  /** A copy of an SVM's state, for the in-process API. */
  svmState(svm: Svm): SvmState {
    return {
      uuid: svm.uuid,
      name: svm.name,
      state: svm.state,
      iscsiAllowed: svm.iscsiAllowed,
      nvmeAllowed: svm.nvmeAllowed,
      nvmeService: svm.nvmeService && { ...svm.nvmeService },
      nvmeConfigured: svm.nvmeService !== undefined,
    };
  }
}
