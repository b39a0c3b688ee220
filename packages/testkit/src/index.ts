/**
 * @latchkey/testkit: deterministic time and randomness, free ports, temp folders and a real local
 * NATS cluster for tests and tools. Production code never imports this package.
 */
export { ManualClock, MANUAL_CLOCK_DEFAULT_START_MS } from './manual-clock.ts';
export { SeededRandom, seededIds, uuidV4FromBytes, type SeededIdSource } from './seeded-random.ts';
export { freePort, freePorts } from './free-port.ts';
export { tempDir, type TempDir } from './temp-dir.ts';
export { isClustered, renderNatsConfig, type NatsClusterPlan, type NatsServerPlan } from './nats-config.ts';
export { findNatsServer } from './nats-process.ts';
export { startNatsCluster, type NatsCluster, type NatsClusterOptions, type NatsServerInfo } from './nats-cluster.ts';
export { TestkitError } from './testkit-error.ts';
