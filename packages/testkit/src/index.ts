/**
 * @latchkey/testkit: deterministic time and randomness, free ports, temp folders and a real local
 * NATS cluster for tests and tools. Production code never imports this package.
 */
export { ManualClock, MANUAL_CLOCK_DEFAULT_START_MS } from './manual-clock.ts';
export { SeededRandom, seededIds, uuidV4FromBytes, type SeededIdSource } from './seeded-random.ts';
export { freePort, freePorts, osFreePort, RESERVED_PORTS } from './free-port.ts';
export { tempDir, type TempDir } from './temp-dir.ts';
export {
  isClustered, LOOPBACK, natsClientUrl, natsMonitorUrl, planServers, renderNatsConfig,
  type NatsClusterPlan, type NatsCredentials, type NatsServerPlan,
} from './nats-config.ts';
export { findNatsServer, firstExecutable, logTail, NATS_SERVER_DEBIAN_PATH, natsServerCandidates } from './nats-process.ts';
export { startNatsCluster, type NatsCluster, type NatsClusterOptions, type NatsServerInfo } from './nats-cluster.ts';
export { TestkitError } from './testkit-error.ts';
