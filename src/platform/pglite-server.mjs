// Runs the embedded PGlite database in a worker thread and serves it on a private Unix socket,
// so a long query never blocks the main thread's HTTP server, TCP receiver or scheduler.
// Plain JavaScript on purpose: Node 20 cannot start a worker from a .ts file.
import { parentPort, workerData } from 'node:worker_threads';
import { join } from 'node:path';
import { readFile, writeFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

const { dataDir, sockDir, loadDataDir } = workerData;
let pglite;
try {
  const options = {};
  if (loadDataDir) options.loadDataDir = new Blob([await readFile(loadDataDir)]);
  pglite = await PGlite.create(dataDir ?? 'memory://', options);
  const server = new PGLiteSocketServer({ db: pglite, path: join(sockDir, '.s.PGSQL.5432'), maxConnections: 4 });
  await server.start();
  parentPort.postMessage({ type: 'ready' });
  parentPort.on('message', async (m) => {
    if (m?.type === 'dump') {
      // Used by the test harness to snapshot a migrated database once and clone it per test file.
      const blob = await pglite.dumpDataDir('none');
      await writeFile(m.path, Buffer.from(await blob.arrayBuffer()));
      parentPort.postMessage({ type: 'dumped' });
    } else if (m?.type === 'stop') {
      await server.stop();
      await pglite.close();
      parentPort.postMessage({ type: 'stopped' });
      parentPort.close();
    }
  });
} catch (err) {
  parentPort.postMessage({ type: 'error', message: String(err?.stack ?? err) });
}
