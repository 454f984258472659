// A throwaway PostgreSQL 15 for the benchmarks (same settings as scripts/test.mjs startPostgres:
// fsync off, synchronous_commit off, full_page_writes off). Copied, not imported.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, chownSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface ThrowawayPg {
  url: string;
  bin: string;
  stop(): void;
}

export async function startPostgres(): Promise<ThrowawayPg> {
  const candidates = ['/usr/lib/postgresql/15/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/17/bin'];
  const bin = candidates.find((d) => existsSync(join(d, 'initdb')));
  if (!bin) throw new Error('no PostgreSQL binaries in /usr/lib/postgresql/{15,16,17}/bin');
  const dir = mkdtempSync(join(tmpdir(), 'ecopermit-bench-pg-'));
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string, args: string[]) => {
    const [c, a] = asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
    return spawnSync(c, a, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  };
  if (asRoot) {
    const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    if (id.status !== 0) throw new Error('running as root but there is no postgres user');
    chownSync(dir, Number(id.stdout.trim()), Number(gid.stdout.trim()));
  }
  const port = await freePort();
  let r = run(join(bin, 'initdb'), ['-D', join(dir, 'data'), '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C.UTF-8']);
  if (r.status !== 0) throw new Error(`initdb failed: ${r.stderr}`);
  r = run(join(bin, 'pg_ctl'), [
    '-D', join(dir, 'data'), '-l', join(dir, 'server.log'), '-w', '-t', '60',
    '-o', `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c shared_buffers=512MB -c max_wal_size=4GB`,
    'start',
  ]);
  if (r.status !== 0) throw new Error(`pg_ctl start failed: ${r.stderr}`);
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    run(join(bin, 'pg_ctl'), ['-D', join(dir, 'data'), '-m', 'fast', '-w', 'stop']);
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stop);
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, bin, stop };
}
