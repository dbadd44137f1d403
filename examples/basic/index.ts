import * as pulumi from "@pulumi/pulumi";
import { IscsiService } from "pulumi-ontap-iscsi";

// Connection settings (ontap:host, ontap:username, ontap:password, ontap:caCert) are read
// by the provider from stack config or ONTAP_* environment variables, never from here.
const config = new pulumi.Config();

const service = new IscsiService("iscsi", {
  svmName: config.require("svmName"),
  enabled: config.getBoolean("enabled") ?? true,
  targetAlias: config.get("targetAlias"),
  // Take over a service the SVM already has instead of failing (ONTAP 5374077).
  adopt: config.getBoolean("adopt"),
  // Fail a preview that would disable, replace or delete the service while hosts are logged in.
  protectActiveSessions: config.getBoolean("protectActiveSessions"),
});

export const svmUuid = service.svmUuid;
export const targetName = service.targetName;
export const targetAlias = service.targetAlias;
export const enabled = service.enabled;
