/**
 * Reads whose `fields=` depend on the cluster's release: the endpoint files of
 * `/api/cluster` and `/api/svm/svms` ask for the gated fields of their resource that the
 * release may have (../iscsi/releases), and learn from ONTAP's refusal what it lacks.
 */

import { OntapApiError } from "../errors/transport";
import {
  atLeast,
  GATED_FIELDS,
  type GatedResource,
  invalidFieldOf,
  type ReleaseKnowledge,
} from "../iscsi/releases";
import { hasCode } from "../ontap/failures";

/**
 * One read whose `fields=` holds the base fields plus the gated fields of `resource` the
 * release may have. A 262197 naming one of them records that the release lacks it (and
 * every field introduced later) and asks again without; a 262197 that names none drops
 * them all. At most one retry per gated field.
 */
export async function withGatedFields<T>(
  known: ReleaseKnowledge,
  resource: GatedResource,
  base: readonly string[],
  read: (fields: string) => Promise<T>,
): Promise<T> {
  for (;;) {
    const gated = GATED_FIELDS.filter((g) => g.resource === resource && known.mayAsk(resource, g.field));
    try {
      return await read([...base, ...gated.map((g) => g.field)].join(","));
    } catch (err) {
      if (gated.length === 0 || !hasCode(err, "262197")) throw err;
      const named = invalidFieldOf(err instanceof OntapApiError ? err.ontapMessage : undefined);
      const refused = gated.find((g) => g.field === named);
      for (const g of gated) if (!refused || atLeast(g.since, refused.since)) known.lacks(resource, g.field);
    }
  }
}
