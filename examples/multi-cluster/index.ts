import * as pulumi from "@pulumi/pulumi";
import { IscsiService } from "pulumi-ontap-iscsi";

// Each entry names a profile of the `ontap:clusters` stack config and the SVMs on it.
interface Placement {
  cluster: string;
  svms: string[];
}

const config = new pulumi.Config();
const placements = config.requireObject<Placement[]>("placements");

const services = placements.flatMap(({ cluster, svms }) =>
  svms.map(
    (svmName) =>
      new IscsiService(`${cluster}-${svmName}`, {
        cluster,
        svmName,
        targetAlias: `${cluster}-${svmName}`,
      }),
  ),
);

export const targets = services.map((service) => ({
  host: service.host,
  svm: service.svmName,
  iqn: service.targetName,
}));
