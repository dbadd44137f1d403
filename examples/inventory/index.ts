import * as pulumi from "@pulumi/pulumi";
import { getIscsiServiceMetrics, listIscsiServices, type MetricInterval } from "pulumi-ontap-iscsi";

// Data sources only: this program reads what exists and manages nothing. The connection
// comes from stack config (ontap:host, ...) or ONTAP_* variables, as for IscsiService.
const config = new pulumi.Config();
const svmPattern = config.get("svmPattern"); // ONTAP pattern, e.g. "svm*"; absent: every SVM
const interval = (config.get("interval") ?? "1h") as MetricInterval;
const cluster = config.get("cluster"); // a profile of ontap:clusters; absent: the default connection

/** One line per service: its state, and the latency of the last sample and over the interval (µs). */
async function inventory() {
  const services = await listIscsiServices({ svmName: svmPattern, cluster });
  return Promise.all(
    services.map(async (service) => {
      const metrics = await getIscsiServiceMetrics({ svmUuid: service.svmUuid, interval, cluster });
      const ok = metrics.samples.filter((s) => s.status === "ok");
      const latest = ok[0]?.latency.total;
      const average = ok.length
        ? Math.round(ok.reduce((sum, s) => sum + s.latency.total, 0) / ok.length)
        : undefined;
      console.log(
        `${service.svmName.padEnd(20)} ${service.enabled ? "enabled " : "disabled"} ` +
          (latest === undefined
            ? `no latency samples (${metrics.note ? "ONTAP has none yet" : "none ok"})`
            : `latency ${latest} µs now, ${average} µs average over ${interval} (${ok.length} samples)`),
      );
      return {
        svm: service.svmName,
        iqn: service.targetName,
        enabled: service.enabled,
        latestLatencyUs: latest,
        averageLatencyUs: average,
      };
    }),
  );
}

export const services = inventory();
