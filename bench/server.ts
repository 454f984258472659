// The real HTTP server in its own process (so the load generator does not share its event loop):
// buildApp + listen on 127.0.0.1:0, as `ecopermit serve` does but without the console files.
// Prints "LISTENING <port>" on stdout; stops on SIGTERM.
import { openDatabase } from '../src/platform/db.ts';
import { buildApp } from '../src/app.ts';
import { benchConfig, clock } from './common.ts';

const config = benchConfig(process.env.DATABASE_URL);
const database = await openDatabase({ url: config.DATABASE_URL });
const app = await buildApp({ database, config, clock, logger: false, serveWeb: false });
await app.listen({ port: 0, host: '127.0.0.1' });
const addr = app.server.address();
console.log(`LISTENING ${typeof addr === 'object' && addr ? addr.port : 0}`);
process.on('SIGTERM', async () => {
  await app.close();
  await database.close();
  process.exit(0);
});
