/**
 * `<base>/manifest.json`: what cluster:up started, for every tool, test and chaos script.
 *
 * The contract other tools rely on: `regions[].name, url, natsUrl, pid, natsPid, dataDir` and
 * `adminToken`, and once cluster:up has finished `regions[].awsUrl`, `awsAccessKeyId` and
 * `awsSecretAccessKey`. Everything else is extra detail for chaos scripts and may grow. The file
 * holds the admin token, the AWS secret and the NATS password, so it is written 0600, atomically
 * (a reader never sees half).
 */
import { open, readFile, rename, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ClusterError } from './cluster-error.ts';
import { manifestPath } from './layout.ts';

export interface ManifestRegion {
  readonly name: string;
  /** The node's HTTP base URL, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  /** This region's nats-server client URL (needs natsUser/natsPassword). */
  readonly natsUrl: string;
  /** The region node's process id. */
  readonly pid: number;
  /** The region's nats-server process id. */
  readonly natsPid: number;
  /** The node's data folder (LevelDB store, root key, admin token, identity). */
  readonly dataDir: string;
  readonly natsMonitorUrl: string;
  /** The route (cluster) port; cutting it isolates the region from the other NATS servers. */
  readonly natsClusterPort: number | null;
  readonly natsLogPath: string;
  readonly nodeLogPath: string;
  readonly natsConfigPath: string;
  /** The LATCHKEY_* environment the node was started with, so that a chaos script can restart it identically. */
  readonly nodeEnv: Readonly<Record<string, string>>;
  /**
   * The region's AWS KMS-compatible endpoint (the node's own port; SigV4 region = `name`). Set by
   * cluster:up once the AWS credential is usable in every region (cluster/aws-credential.ts).
   */
  readonly awsUrl?: string;
}

export interface Manifest {
  readonly regions: readonly ManifestRegion[];
  readonly adminToken: string;
  readonly natsUser: string;
  readonly natsPassword: string;
  /** Absolute. */
  readonly base: string;
  /** ISO 8601. */
  readonly createdAt: string;
  readonly streamReplicas: number;
  /** The pinned region keys the nodes trust. */
  readonly clusterFile: string;
  /** What ran: restart a node with `nodeExecPath nodeEntry` in `repoRoot`, a server with `natsBinary -c natsConfigPath`. */
  readonly nodeExecPath: string;
  readonly nodeEntry: string;
  readonly repoRoot: string;
  readonly natsBinary: string;
  /** The admin principal's AWS SigV4 credential, valid in every region (set by cluster:up, like awsUrl). */
  readonly awsAccessKeyId?: string;
  readonly awsSecretAccessKey?: string;
}

/** Writes a file atomically with the given mode: temp file, fsync, rename. */
export async function writeFileAtomic(path: string, content: string, mode: number): Promise<void> {
  const temp = `${path}.tmp-${process.pid}`;
  const handle = await open(temp, 'w', mode);
  try {
    // The mode argument of open() is filtered by the umask; chmod makes it exact.
    await handle.chmod(mode);
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, path);
}

export async function writeManifest(manifest: Manifest): Promise<string> {
  const path = manifestPath(manifest.base);
  await writeFileAtomic(path, `${JSON.stringify(manifest, null, 2)}\n`, 0o600);
  return path;
}

export async function removeManifest(base: string): Promise<void> {
  await rm(manifestPath(resolve(base)), { force: true });
}

const isString = (v: unknown): v is string => typeof v === 'string' && v !== '';
const isPid = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0;

/** Checks the contract fields; extra fields pass through untouched. Throws a ClusterError naming the first problem. */
export function parseManifest(text: string, where: string): Manifest {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ClusterError(`${where} is not valid JSON (${(error as Error).message}); remove it or run pnpm cluster:down`);
  }
  const problem = (what: string): ClusterError => new ClusterError(`${where} is not a cluster manifest: ${what}`);
  const m = data as Record<string, unknown> | null;
  if (typeof m !== 'object' || m === null) throw problem('not an object');
  if (!isString(m.adminToken)) throw problem('adminToken missing');
  if (!Array.isArray(m.regions) || m.regions.length === 0) throw problem('regions missing or empty');
  m.regions.forEach((region: unknown, i: number) => {
    const r = region as Record<string, unknown> | null;
    if (typeof r !== 'object' || r === null) throw problem(`regions[${i}] is not an object`);
    for (const field of ['name', 'url', 'natsUrl', 'dataDir'] as const) {
      if (!isString(r[field])) throw problem(`regions[${i}].${field} missing`);
    }
    for (const field of ['pid', 'natsPid'] as const) {
      if (!isPid(r[field])) throw problem(`regions[${i}].${field} is not a process id`);
    }
  });
  return data as Manifest;
}

/** The manifest at `<base>` (relative to the current directory), or null when there is none. */
export async function readManifestIfAny(base: string): Promise<Manifest | null> {
  const path = manifestPath(resolve(base));
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  return parseManifest(text, path);
}

/** Reads `<base>/manifest.json`; throws a ClusterError saying how to start a cluster when there is none. */
export async function readManifest(base: string): Promise<Manifest> {
  const manifest = await readManifestIfAny(base);
  if (!manifest) throw new ClusterError(`no cluster at ${resolve(base)} (no manifest.json); start one with pnpm cluster:up`);
  return manifest;
}

export function manifestRegion(manifest: Manifest, name: string): ManifestRegion {
  const region = manifest.regions.find((r) => r.name === name);
  if (!region) throw new ClusterError(`no region ${name} in the manifest; regions: ${manifest.regions.map((r) => r.name).join(', ')}`);
  return region;
}
