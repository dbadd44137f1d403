/**
 * Seeding iSCSI sessions: explicit hosts ({@link SessionSeed}) or the shorthand SVM → count,
 * turned into the logins the cluster holds (./state). A login becomes a session while
 * its SVM's service is enabled.
 */
import type { Cluster, Login } from "./state";
import type { SessionSeed, SessionsOption } from "./types";

function count(what: string, n: number | undefined, fallback: number, max: number): number {
  const value = n ?? fallback;
  if (!Number.isInteger(value) || value < 1 || value > max)
    throw new Error(`${what} must be a whole number from 1 to ${max}, got ${n}`);
  return value;
}

/** Realistic hosts for "N sessions on this SVM": two paths per host while at least two remain. */
function shorthand(cluster: Cluster, svmName: string, sessions: number): SessionSeed[] {
  count(`sessions of SVM "${svmName}"`, sessions, 1, 1000);
  const svm = cluster.requireSvm(svmName);
  const seeds: SessionSeed[] = [];
  for (let left = sessions; left > 0; ) {
    const host = `${svm.name}-host${String(cluster.nextHostNumber(svm)).padStart(2, "0")}`;
    const paths = Math.min(2, left);
    seeds.push({
      svm: svm.uuid,
      initiator: { name: `iqn.1994-05.com.redhat:${host}`, alias: host },
      igroups: [`ig_${svm.name}`],
      paths,
      // Every other host authenticates with CHAP, so that both kinds show up.
      authentication: seeds.length % 2 === 0 ? "chap" : "none",
    });
    left -= paths;
  }
  return seeds;
}

/** The logins (one per path) these sessions make; throws for a seed that names no SVM or a bad count. */
export function loginsOf(cluster: Cluster, option: SessionsOption): Login[] {
  const seeds = Array.isArray(option)
    ? option
    : Object.entries(option).flatMap(([svm, n]) => shorthand(cluster, svm, n));
  const logins: Login[] = [];
  for (const seed of seeds) {
    const svm = cluster.requireSvm(seed.svm);
    if (typeof seed.initiator?.name !== "string" || seed.initiator.name === "")
      throw new Error(`a session seed of SVM "${svm.name}" needs initiator.name`);
    const paths = count("paths", seed.paths, 1, 8);
    const connections = count("connections", seed.connections, 1, 4);
    cluster.addLifs(svm, paths);
    for (const name of seed.igroups ?? [])
      if (!svm.igroups.has(name)) svm.igroups.set(name, cluster.newUuid());
    const address = seed.address ?? cluster.nextHostAddress();
    for (let lif = 0; lif < paths; lif++) {
      const initiator: Login["initiator"] = {
        name: seed.initiator.name,
        alias: seed.initiator.alias ?? "",
      };
      if (seed.initiator.comment !== undefined) initiator.comment = seed.initiator.comment;
      logins.push({
        svmUuid: svm.uuid,
        initiator,
        igroups: [...(seed.igroups ?? [])],
        lif,
        connections,
        authentication: seed.authentication ?? "none",
        address,
      });
    }
  }
  return logins;
}
