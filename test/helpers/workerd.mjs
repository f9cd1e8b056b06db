// Starting and stopping workerd for the workerd lane: `workerd serve` on a free port of 127.0.0.1 (the
// config's socket named "http" is moved there with --socket-addr), ready once it accepts a connection
// (a request would run the worker); stop() kills it
// (SIGKILL: workerd drains in-flight requests on SIGTERM, and a hung one would keep it alive). Every
// process started here is also killed when the test process exits.
import { spawn } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { fileURLToPath } from 'node:url';

export const WORKERD = fileURLToPath(new URL('../../node_modules/.bin/workerd', import.meta.url));
const live = new Set();
process.on('exit', () => { for (const child of live) child.kill('SIGKILL'); });

/** A port nobody listens on now (another process may take it before workerd does: start() retries). */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

/** Whether something accepts connections on `port` of 127.0.0.1. */
function accepts(port) {
  return new Promise((resolve) => {
    const c = connect(port, '127.0.0.1');
    c.once('connect', () => { c.destroy(); resolve(true); });
    c.once('error', () => resolve(false));
  });
}

/** Serves `config` (a config.capnp path); resolves to { url, stop, output } once it accepts connections. */
export async function startWorkerd(config, { attempts = 3, readyMs = 15_000 } = {}) {
  let last = '';
  for (let k = 0; k < attempts; k++) {
    const port = await freePort();
    const child = spawn(WORKERD, ['serve', config, '--socket-addr', `http=127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(child);
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    let exited = false;
    child.on('exit', () => { exited = true; live.delete(child); });
    const stop = () => new Promise((resolve) => {
      if (exited) { resolve(); return; }
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
    const url = `http://127.0.0.1:${port}`;
    const end = Date.now() + readyMs;
    while (!exited && Date.now() < end) {
      if (await accepts(port)) return { url, stop, output: () => output };
      await new Promise((r) => setTimeout(r, 50));
    }
    await stop();
    last = output;
    if (!/Address already in use/.test(output)) break;   // anything but a lost race for the port is final
  }
  throw new Error(`workerd did not start serving ${config}:\n${last}`);
}
