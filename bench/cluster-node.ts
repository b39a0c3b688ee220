/**
 * EXPERIMENT, not a deployable shape: the region node's HTTP data plane in N node:cluster workers
 * sharing one port. A LevelDB folder has one owner, so here every worker opens its own snapshot
 * copy of a store prepared beforehand (same root key, keys and tokens); that is enough to measure
 * what a multi-process data plane would serve, since encrypt/decrypt never write. A real design
 * keeps one owner of the store (primary or control-plane process) and pushes key-state changes
 * to the workers.
 *
 *   BENCH_NODE_ROOT=<checkout> BENCH_PORT=<port> BENCH_DATA_DIRS=<dir1>:<dir2> node bench/cluster-node.ts
 *
 * Prints `{"port":N}` on stdout once every worker listens.
 */
import cluster from 'node:cluster';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

interface NodeModule {
  startRegionNode(options: { config: unknown; lifecycleTimer?: boolean }): Promise<{ close(): Promise<void> }>;
}
interface ConfigModule {
  parseConfig(env: Readonly<Record<string, string | undefined>>, cwd: string): unknown;
}

const root = process.env.BENCH_NODE_ROOT ?? process.cwd();
const dataDirs = (process.env.BENCH_DATA_DIRS ?? '').split(':').filter(Boolean);
const port = process.env.BENCH_PORT ?? '';

if (cluster.isPrimary) {
  // Let the kernel spread accept() over the workers: with the default round-robin policy the
  // primary hands every connection over IPC, and on a busy machine that measured 0.19x bare
  // instead of 0.50x (BENCHMARKS.md). NODE_CLUSTER_SCHED_POLICY=rr still selects round-robin.
  if (!process.env.NODE_CLUSTER_SCHED_POLICY) cluster.schedulingPolicy = cluster.SCHED_NONE;
  if (dataDirs.length === 0 || port === '') throw new Error('BENCH_DATA_DIRS and BENCH_PORT are required');
  let listening = 0;
  for (const dir of dataDirs) {
    cluster.fork({ BENCH_WORKER_DATA_DIR: dir }).on('listening', () => {
      listening += 1;
      if (listening === dataDirs.length) process.stdout.write(`${JSON.stringify({ port: Number(port) })}\n`);
    });
  }
  const stop = () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  cluster.on('exit', () => {
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
  });
} else {
  const src = path.join(root, 'packages/node/src');
  const { startRegionNode } = (await import(pathToFileURL(path.join(src, 'region-node.ts')).href)) as NodeModule;
  const { parseConfig } = (await import(pathToFileURL(path.join(src, 'config.ts')).href)) as ConfigModule;
  const config = parseConfig({ ...process.env, LATCHKEY_DATA_DIR: process.env.BENCH_WORKER_DATA_DIR, LATCHKEY_PORT: port }, root);
  const node = await startRegionNode({ config, lifecycleTimer: false });
  process.on('SIGTERM', () => {
    node.close().then(() => process.exit(0), () => process.exit(1));
  });
}
