/** A feature the cluster's ONTAP release does not have. */
import type { GatedRoute } from "../iscsi/releases";
import { ProviderError } from "./base";

/** A feature the cluster's release does not have (a route that answered 404, code 3, or that the release predates). */
export class ReleaseLacksError extends ProviderError {
  readonly kind = "unsupported-release";
  constructor(
    readonly host: string,
    readonly gated: GatedRoute,
    /** The cluster's release; undefined when the account cannot read it. */
    readonly release: string | undefined,
  ) {
    super(
      `Cluster ${host} ${release ? `runs ONTAP ${release}, which has` : "has"} no ${gated.what} (${gated.path}): ` +
        `that needs ONTAP ${gated.since} or later.\n` +
        `Fix: upgrade the cluster to ONTAP ${gated.since} or later (check the release with: version).`,
    );
  }
}
