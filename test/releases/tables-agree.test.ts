/**
 * The provider's release table (provider/iscsi/releases) and the simulator's
 * (tools/simulator/releases) are written apart, one for what the provider asks each release
 * for, one for what the simulated releases answer. This holds them to one account: every
 * gate the provider knows is the simulator's, at the same release, and the fields the
 * provider asks every release for exist on the oldest one the simulator can be.
 */
import { expect } from "chai";
import { CLUSTER_FIELDS } from "../../provider/api/cluster";
import { SESSION_FIELDS } from "../../provider/api/protocols-san-iscsi-sessions";
import { SVM_FIELDS } from "../../provider/api/svm-svms";
import { SERVICE_FIELDS } from "../../provider/iscsi/model";
import {
  atLeast,
  GATED_FIELDS,
  GATED_ROUTES,
  PERFORMANCE_FIELDS_SINCE,
  ReleaseKnowledge,
} from "../../provider/iscsi/releases";
import {
  fieldExists,
  INTRODUCED,
  RELEASES,
  type ResourceName,
  routeExists,
  atLeast as simAtLeast,
} from "../../tools/simulator/releases";

/** The release at which the simulator's table introduces a field of a resource; undefined when it is not gated. */
function simFieldSince(resource: ResourceName, field: string): string | undefined {
  return INTRODUCED.find((row) => row.fields?.[resource]?.includes(field))?.since;
}

/** A run's knowledge of a cluster known to run `release`. */
function knowing(release: string): ReleaseKnowledge {
  const known = new ReleaseKnowledge();
  known.release = release;
  return known;
}

describe("release tables: the provider's and the simulator's agree", () => {
  it("every gated field of the provider is gated in the simulator, at the same release", () => {
    for (const gated of GATED_FIELDS)
      expect(simFieldSince(gated.resource, gated.field), `${gated.resource} ${gated.field}`).to.equal(
        gated.since,
      );
  });

  it("every gated route of the provider is gated in the simulator, at the same release, and no other", () => {
    for (const gated of GATED_ROUTES)
      expect(INTRODUCED.find((row) => row.routes?.includes(gated.route))?.since, gated.route).to.equal(
        gated.since,
      );
    const simRoutes = INTRODUCED.flatMap((row) => row.routes ?? []);
    expect([...simRoutes].sort()).to.deep.equal(GATED_ROUTES.map((g) => g.route).sort());
  });

  it("the service's metric and statistics come with the same release in both", () => {
    expect(simFieldSince("service", "metric")).to.equal(PERFORMANCE_FIELDS_SINCE);
    expect(simFieldSince("service", "statistics")).to.equal(PERFORMANCE_FIELDS_SINCE);
  });

  for (const release of RELEASES) {
    it(`ONTAP ${release}: the provider asks for a gated field or route exactly where the simulator has it`, () => {
      const known = knowing(release);
      for (const gated of GATED_FIELDS)
        expect(known.mayAsk(gated.resource, gated.field), `${gated.resource} ${gated.field}`).to.equal(
          fieldExists(release, gated.resource, gated.field),
        );
      for (const gated of GATED_ROUTES)
        expect(known.lacksRoute(gated.route) === undefined, gated.route).to.equal(
          routeExists(release, gated.route),
        );
    });
  }

  it("the fields asked of every release exist on the oldest one", () => {
    const [oldest] = RELEASES;
    const asked: Array<[ResourceName, readonly string[]]> = [
      ["cluster", CLUSTER_FIELDS],
      ["svm", SVM_FIELDS],
      ["service", SERVICE_FIELDS.split(",")],
      ["session", SESSION_FIELDS.split(",")],
    ];
    for (const [resource, fields] of asked)
      for (const field of fields)
        expect(fieldExists(oldest, resource, field), `${resource} ${field} on ${oldest}`).to.equal(true);
  });

  it("both order releases the same way", () => {
    const releases = [...new Set([...RELEASES, ...INTRODUCED.map((row) => row.since)])];
    for (const a of releases)
      for (const b of releases) expect(atLeast(a, b), `${a} ≥ ${b}`).to.equal(simAtLeast(a, b));
  });
});
