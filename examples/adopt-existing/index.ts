import * as pulumi from "@pulumi/pulumi";
import { IscsiService } from "pulumi-ontap-iscsi";

const config = new pulumi.Config();
const svmNames = config.requireObject<string[]>("svmNames");

// adopt: take over the service each SVM already has (and bring `enabled` / the alias to
// what is declared here) instead of failing with ONTAP 5374077. Keep `retainOnDelete`
// if `pulumi destroy` should leave these services on the cluster.
const services = svmNames.map(
  (svmName) =>
    new IscsiService(
      svmName,
      { svmName, adopt: true, enabled: true },
      { retainOnDelete: config.getBoolean("retainOnDelete") ?? true },
    ),
);

export const iqns = services.map((service) => service.targetName);
