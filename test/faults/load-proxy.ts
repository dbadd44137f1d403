/**
 * A TCP pass-through in front of the simulator that counts the connections open at once.
 * HTTP/1.1 carries one request at a time per connection, so the peak of open connections
 * bounds the requests the client had in flight, including those the cluster answered 429
 * (which the simulator's own peak does not count).
 */
import net from "node:net";

/** A running pass-through. */
export interface CountingProxy {
  /** "127.0.0.1:<port>": what a connection's host setting takes. */
  host: string;
  /** Connections open right now. */
  readonly open: number;
  /** The most connections open at once since start (or the last resetPeak). */
  readonly peak: number;
  resetPeak(): void;
  stop(): Promise<void>;
}

/** Starts a pass-through to `target` ("127.0.0.1:<port>") on an ephemeral loopback port. */
export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const [targetHost, targetPort] = [
    target.slice(0, target.lastIndexOf(":")),
    Number(target.slice(target.lastIndexOf(":") + 1)),
  ];
  const sockets = new Set<net.Socket>();
  let open = 0;
  let peak = 0;
  const server = net.createServer((client) => {
    open++;
    peak = Math.max(peak, open);
    const upstream = net.connect(targetPort, targetHost);
    sockets.add(client);
    sockets.add(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      open--;
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("close", close);
    upstream.on("close", close);
    client.on("error", close);
    upstream.on("error", close);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    get open() {
      return open;
    },
    get peak() {
      return peak;
    },
    resetPeak() {
      peak = open;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
