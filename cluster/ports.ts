/**
 * Free loopback TCP ports for the servers of one cluster. The OS picks each port (listen on 0,
 * `osFreePort` from the testkit); we close it and hand it out. Another process can still take a
 * port before our server binds it, so start-up retries with fresh ports when a server reports
 * "address already in use".
 */
import { osFreePort, RESERVED_PORTS } from '@latchkey/testkit';
import { ClusterError } from './cluster-error.ts';

export { osFreePort, RESERVED_PORTS };

export type PortSource = () => Promise<number>;

/**
 * `count` distinct ports, none reserved and none in `avoid` (ports this run already used). The
 * source is a parameter so that tests can feed it the awkward cases.
 */
export async function allocatePorts(count: number, avoid: ReadonlySet<number> = new Set(), source: PortSource = osFreePort): Promise<number[]> {
  const chosen: number[] = [];
  let refusals = 0;
  while (chosen.length < count) {
    const port = await source();
    if (port > 0 && !RESERVED_PORTS.has(port) && !avoid.has(port) && !chosen.includes(port)) {
      chosen.push(port);
    } else if (++refusals > 100 + count) {
      throw new ClusterError(`could not find ${count} free loopback ports (the OS kept offering reserved or used ones)`);
    }
  }
  return chosen;
}
