/**
 * Runs inside a VM lab guest (started by its init): reads command requests
 * from the virtio-serial port the host connects to, runs each as a process
 * group with a deadline, and writes one reply line per request. Node
 * built-ins only: the guest runs this file straight from the host's tree.
 */
import { spawn } from 'node:child_process';
import { createReadStream, openSync, readdirSync, readFileSync, write } from 'node:fs';
import { createInterface } from 'node:readline';
import { CONTROL_PORT_NAME, OUTPUT_LIMIT_BYTES, type ControlReply, type ControlRequest } from './control-protocol.js';

function findPort(): string {
  for (const port of readdirSync('/sys/class/virtio-ports')) {
    if (readFileSync(`/sys/class/virtio-ports/${port}/name`, 'utf8').trim() === CONTROL_PORT_NAME) return `/dev/${port}`;
  }
  throw new Error(`guest-control: no virtio port named ${CONTROL_PORT_NAME} (is virtio_console loaded?)`);
}

class Capped {
  private chunks: Buffer[] = [];
  private size = 0;
  private cut = false;
  add(chunk: Buffer): void {
    if (this.size >= OUTPUT_LIMIT_BYTES) {
      this.cut = true;
      return;
    }
    this.chunks.push(chunk);
    this.size += chunk.length;
  }
  text(): string {
    const s = Buffer.concat(this.chunks).toString('utf8');
    return this.cut ? `${s}\n[guest-control: output cut at ${OUTPUT_LIMIT_BYTES} bytes]` : s;
  }
}

function runRequest(req: ControlRequest): Promise<ControlReply> {
  const started = Date.now();
  return new Promise((resolve) => {
    const [file, ...args] = req.argv;
    const out = new Capped();
    const err = new Capped();
    let timedOut = false;
    const child = spawn(file ?? 'false', args, { env: { ...process.env, ...req.env }, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone: the close handler replies.
      }
    }, req.timeoutMs);
    child.stdout.on('data', (c: Buffer) => out.add(c));
    child.stderr.on('data', (c: Buffer) => err.add(c));
    child.stdin.on('error', () => undefined);
    child.stdin.end(req.input ?? '');
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ id: req.id, exitCode: null, signal: null, stdout: '', stderr: '', durationMs: Date.now() - started, timedOut: false, error: e.message });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ id: req.id, exitCode: code, signal, stdout: out.text(), stderr: err.text(), durationMs: Date.now() - started, timedOut });
    });
  });
}

function writeAll(fd: number, buf: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    write(fd, buf, (e, written) => {
      if (e) reject(e);
      else if (written < buf.length) writeAll(fd, buf.subarray(written)).then(resolve, reject);
      else resolve();
    });
  });
}

function main(): void {
  const path = findPort();
  const fd = openSync(path, 'r+');
  // One write at a time: replies finish in any order, and two lines must never interleave on the port.
  let tail: Promise<void> = Promise.resolve();
  const send = (reply: ControlReply): void => {
    const line = Buffer.from(`${JSON.stringify(reply)}\n`);
    tail = tail.then(() => writeAll(fd, line)).catch((e: Error) => {
      process.stderr.write(`guest-control: reply ${reply.id} not sent: ${e.message}\n`);
    });
  };
  const lines = createInterface({ input: createReadStream('', { fd, autoClose: false }) });
  lines.on('line', (line) => {
    let req: ControlRequest;
    try {
      req = JSON.parse(line) as ControlRequest;
    } catch {
      process.stderr.write(`guest-control: ignoring a line that is not JSON: ${line.slice(0, 80)}\n`);
      return;
    }
    void runRequest(req).then(send);
  });
  lines.on('close', () => process.exit(1)); // init respawns us; the host reconnects.
}

main();
