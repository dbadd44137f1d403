/**
 * The ONTAP REST simulator: {@link startSimulator} serves a cluster over HTTP(S) on
 * 127.0.0.1 and returns the in-process controls declared in ./types.
 */
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { type Principal, parseAccount } from "./auth";
import { readCert } from "./certs";
import { FaultQueue } from "./faults";
import { dispatchInProcess } from "./in-process";
import { JobQueue } from "./jobs";
import { behaves, DEFAULT_RELEASE, parseRelease } from "./releases";
import type { Route } from "./router";
import { clusterRoutes } from "./routes/cluster";
import { metricRoutes } from "./routes/metrics";
import { serviceRoutes } from "./routes/services";
import { sessionRoutes } from "./routes/sessions";
import { svmRoutes } from "./routes/svms";
import { type Controls, requestListener } from "./server";
import { loginsOf } from "./sessions";
import { Cluster } from "./state";
import { parseTimezone } from "./time";
import type {
  Account,
  InProcessAnswer,
  InProcessRequest,
  JobState,
  RequestGate,
  ServiceState,
  Simulator,
  SimulatorOptions,
  SvmState,
} from "./types";

export * from "./types";

/** Every route the simulator serves under /api. */
export const ROUTES: Route[] = [
  ...serviceRoutes,
  ...metricRoutes,
  ...sessionRoutes,
  ...svmRoutes,
  ...clusterRoutes,
];

/** The simulator {@link startSimulator} returns: ./types' {@link Simulator} with its optional members present. */
export interface SimulatorInstance extends Simulator {
  backfillMetrics(svm: string, sinceMs?: number): void;
  setGate(gate: RequestGate | undefined): void;
  dispatch(request: InProcessRequest): Promise<InProcessAnswer>;
  job(uuid: string): JobState | undefined;
}

function positiveCount(name: string, n: number | undefined): number | undefined {
  if (n !== undefined && (!Number.isInteger(n) || n < 1))
    throw new Error(`${name} must be a positive integer, got ${n}`);
  return n;
}

/**
 * Starts a simulator; resolve `stop()` when done. Throws at once for options that
 * contradict each other or the release (e.g. ASA r2 before 9.16.1, an account of an SVM
 * that does not exist).
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<SimulatorInstance> {
  const tls = !options.http;
  if (
    options.ontapVersion !== undefined &&
    options.version !== undefined &&
    options.ontapVersion !== options.version
  )
    throw new Error(`ontapVersion "${options.ontapVersion}" and version "${options.version}" disagree`);
  const release = parseRelease(options.ontapVersion ?? options.version ?? DEFAULT_RELEASE);
  if (options.asaR2 && !behaves(release, "asa-r2"))
    throw new Error(`ASA r2 systems run ONTAP 9.16.1 or later, not ${release}`);
  const cluster = new Cluster({
    asaR2: options.asaR2 ?? false,
    iscsiLicensed: options.iscsiLicensed ?? true,
    release,
    timezone: parseTimezone(options.timezone ?? "+00:00"),
    timeoutPageRecords: positiveCount("timeoutPageRecords", options.timeoutPageRecords),
    sessionsRelogin: options.sessionsRelogin ?? false,
  });
  for (const seed of options.svms ?? ["svm1", "svm2"]) {
    cluster.addSvm(typeof seed === "string" ? { name: seed } : seed, true);
  }
  if (options.sessions) cluster.logins.push(...loginsOf(cluster, options.sessions));
  cluster.syncSessions();
  const principalOf = (account: Account): Principal => {
    const { svm } = parseAccount(account);
    return svm === undefined ? { kind: "cluster" } : { kind: "svm", svmUuid: cluster.requireSvm(svm).uuid };
  };
  const stopper = new AbortController();
  const c: Controls = {
    cluster,
    jobs: new JobQueue(options.jobRetentionMs ?? 300e3),
    faults: new FaultQueue(),
    routes: ROUTES,
    auth: {
      username: options.username ?? "admin",
      password: options.password ?? "netapp123",
      // OAuth 2.0 arrived in 9.14.1: older releases accept no bearer token.
      bearerTokens: behaves(release, "oauth2") ? (options.bearerTokens ?? []) : [],
      clientCertificates: tls && (options.clientCertificates ?? true),
    },
    log: [],
    latencyMs: options.latencyMs ?? 0,
    maxConcurrent: options.maxConcurrent,
    asyncJobs: { enabled: false, delayMs: 100, pausedMs: 0, held: false },
    principal: principalOf(options.account ?? "admin"),
    inFlight: 0,
    peak: 0,
    signal: stopper.signal,
    unexpected: options.onUnexpected ?? ((line) => process.stderr.write(`${line}\n`)),
  };
  const listener = requestListener(c);
  const caCert = tls ? readCert("ca.pem") : undefined;
  const certName = options.certificate ?? "server";
  const server = tls
    ? https.createServer(
        {
          key: readCert(`${certName}.key`),
          cert: readCert(`${certName}.pem`),
          ca: caCert,
          requestCert: c.auth.clientCertificates,
          rejectUnauthorized: false,
        },
        listener,
      )
    : http.createServer(listener);
  const hostName = options.host ?? "127.0.0.1";
  await new Promise<void>((done, fail) => {
    server.once("error", fail);
    server.listen(options.port ?? 0, hostName, () => {
      server.off("error", fail);
      done();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = `${hostName.includes(":") ? `[${hostName}]` : hostName}:${port}`;

  const svmOf = (name: string) => cluster.requireSvm(name);
  /** Runs an out-of-band change, then lets sessions follow it (a disable ends them). */
  const changing = (change: () => void) => {
    change();
    cluster.syncSessions();
  };
  const serviceOf = (name: string) => {
    const service = cluster.services.get(svmOf(name).uuid);
    if (!service) throw new Error(`SVM "${name}" has no iSCSI service`);
    return service;
  };
  let stopped: Promise<void> | undefined;

  const sim: SimulatorInstance = {
    url: `${tls ? "https" : "http"}://${host}`,
    host,
    port,
    caCert,
    stop() {
      stopped ??= new Promise<void>((done) => {
        stopper.abort();
        c.jobs.stop();
        server.close(() => done());
        server.closeAllConnections();
      });
      return stopped;
    },
    addSvm: (seed) => cluster.svmState(cluster.addSvm(seed, false)),
    svm(nameOrUuid): SvmState | undefined {
      const svm = cluster.findSvm(nameOrUuid);
      return svm && cluster.svmState(svm);
    },
    service(nameOrUuid): ServiceState | undefined {
      const svm = cluster.findSvm(nameOrUuid);
      const service = svm && cluster.services.get(svm.uuid);
      return service && cluster.serviceState(service);
    },
    services: () => [...cluster.services.values()].map((s) => cluster.serviceState(s)),
    outOfBand: {
      createService(name, opts = {}) {
        const svm = svmOf(name);
        if (cluster.services.has(svm.uuid)) throw new Error(`SVM "${name}" already has an iSCSI service`);
        const service = cluster.createService(svm, opts, false);
        cluster.syncSessions();
        return cluster.serviceState(service);
      },
      deleteService(name) {
        if (cluster.settings.asaR2) throw new Error("ASA r2: an SVM's iSCSI service cannot be deleted");
        serviceOf(name);
        changing(() => cluster.services.delete(svmOf(name).uuid));
      },
      setEnabled: (name, enabled) =>
        changing(() => {
          serviceOf(name).enabled = enabled;
        }),
      setAlias: (name, alias) => {
        serviceOf(name).alias = alias;
      },
      renameSvm: (name, newName) => {
        if (cluster.findSvm(newName)) throw new Error(`an SVM named "${newName}" exists already`);
        svmOf(name).name = newName;
      },
      setSvmState: (name, state) =>
        changing(() => {
          svmOf(name).state = state;
        }),
      setIscsiLicensed: (licensed) => {
        cluster.settings.iscsiLicensed = licensed;
      },
      setNvmeService: (name, service) => {
        svmOf(name).nvmeService = service && { enabled: service.enabled };
      },
      addSessions(sessions) {
        cluster.logins.push(...loginsOf(cluster, sessions));
        return cluster.syncSessions().map((s) => cluster.sessionState(s));
      },
      endSessions(name, initiatorName) {
        const uuid = svmOf(name).uuid;
        const ending = (s: { login: { svmUuid: string; initiator: { name: string } } }) =>
          s.login.svmUuid === uuid &&
          (initiatorName === undefined || s.login.initiator.name === initiatorName);
        let ended = 0;
        for (let i = cluster.sessions.length - 1; i >= 0; i--) {
          if (!ending(cluster.sessions[i])) continue;
          cluster.sessions.splice(i, 1);
          ended++;
        }
        // A host that logged out is not waiting to log in again either.
        for (let i = cluster.logins.length - 1; i >= 0; i--)
          if (ending({ login: cluster.logins[i] })) cluster.logins.splice(i, 1);
        return ended;
      },
    },
    sessions(name) {
      const uuid = name === undefined ? undefined : svmOf(name).uuid;
      return cluster.sessions
        .filter((s) => uuid === undefined || s.login.svmUuid === uuid)
        .map((s) => cluster.sessionState(s));
    },
    ontapVersion: release,
    setAccount(account) {
      c.principal = principalOf(account);
    },
    setTimeoutPageRecords(n) {
      cluster.settings.timeoutPageRecords = positiveCount("timeoutPageRecords", n);
    },
    get requests() {
      return c.log;
    },
    clearRequests() {
      c.log.length = 0;
      c.peak = c.inFlight;
    },
    injectFault: (fault) => c.faults.add(fault),
    clearFaults: () => c.faults.clear(),
    setAsyncJobs(enabled, delayMs, jobOptions = {}) {
      c.asyncJobs = {
        enabled,
        delayMs: delayMs ?? c.asyncJobs.delayMs,
        pausedMs: jobOptions.pausedMs ?? c.asyncJobs.pausedMs,
        held: jobOptions.held ?? false,
      };
    },
    finishJobs: () => c.jobs.finishHeld(),
    purgeJobs: () => c.jobs.purgeFinished(),
    setLatency: (ms) => {
      c.latencyMs = ms;
    },
    setMaxConcurrent: (n) => {
      c.maxConcurrent = n;
    },
    get peakConcurrency() {
      return c.peak;
    },
    backfillMetrics(name, sinceMs = 400 * 86400e3) {
      serviceOf(name).metricsSince = Date.now() - sinceMs;
    },
    setGate(gate) {
      c.gate = gate;
    },
    dispatch: (request) => dispatchInProcess(listener, request),
    job(uuid) {
      const job = c.jobs.get(uuid);
      if (!job) return undefined;
      return {
        uuid: job.uuid,
        state: job.state,
        ...(job.endTime === undefined ? {} : { endTime: job.endTime }),
      };
    },
  };
  return sim;
}
