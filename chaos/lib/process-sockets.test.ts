// Proves a process's established TCP connections are found from /proc: the parser keeps only
// established sockets with their ports and inode, and a real connection of this very process shows up.
import { connect, createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { connectionsTo, parseProcNetTcp } from './process-sockets.ts';

const TABLE = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:B457 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 126763 1 0000000040b15dc1 100 0 0 10 0
   1: 0100007F:9C40 0100007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 375168 1 00000000766c35f9 20 4 30 10 -1
`;

describe('process sockets', () => {
  it('parses established connections only', () => {
    expect(parseProcNetTcp(TABLE)).toEqual([{ localPort: 0x9c40, remotePort: 0x1f90, inode: '375168' }]);
  });

  it.runIf(process.platform === 'linux')('finds a connection this process holds', async () => {
    const server = createServer((s) => s.on('error', () => undefined));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const client = connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
    try {
      const found = await connectionsTo(process.pid, [port]);
      expect(found.map((c) => c.localPort)).toContain(client.localPort);
      expect(await connectionsTo(process.pid, [1])).toEqual([]);
    } finally {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
