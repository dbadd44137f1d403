/**
 * What the data-source suites share: pointing the program's stack config at a simulator,
 * and reading an Output's value outside a deployment.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { SimulatorInstance } from "../../tools/simulator";

/** Stack config (`ontap:*`) that points the default connection at a simulator, CA verified. */
export function simulatorConfig(
  sim: SimulatorInstance,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    "ontap:host": sim.host,
    "ontap:username": "admin",
    "ontap:password": "netapp123",
    "ontap:caCert": sim.caCert ?? "",
    ...extra,
  };
}

/** The value of an Output outside a deployment (apply runs at once there). */
export function resolved<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    output.apply((value) => {
      resolve(value);
      return value;
    });
    setTimeout(() => reject(new Error("the output never resolved")), 10_000).unref();
  });
}
