/**
 * Child process for the crash test (not a test itself): opens a LevelDB store and commits
 * sampleCommit(n), sampleCommit(n + 1), ... forever, printing each commit id to stdout only after
 * its commit resolved. A line on stdout is therefore an acknowledgement, and the parent can check
 * that everything acknowledged survives SIGKILL. Writes to a pipe are synchronous on Linux, so a
 * printed ack is in the pipe before the next commit starts.
 *
 * Usage: node crash-writer.fixture.ts <folder> <first commit id>
 */
import { createLevelKeyStore } from './level-key-store.ts';
import { sampleCommit } from './sample-records.ts';

const [path = '', first = '1'] = process.argv.slice(2);
const store = createLevelKeyStore({ path });
await store.open();
process.stdout.write('open\n');
for (let commitId = Number(first); ; commitId++) {
  await store.commit(sampleCommit(commitId));
  process.stdout.write(`${commitId}\n`);
}
