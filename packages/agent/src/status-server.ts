import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { StatusReport } from './status-report.js';
import type { AgentMetrics } from './metrics.js';
import { StatusConnections } from './status-server-connections.js';

/** The agent's report as the status server serves it: with whether the store answered. */
export interface StatusServerReport extends StatusReport {
  /** The last store read answered and the store is this cluster's (AgentStatus.storeReachable). */
  readonly storeReachable: boolean;
  /** Why not, when it is not: unreachable, or not trusted (another cluster's, restarted empty). */
  readonly storeProblem?: string;
}

export interface StatusServerSource {
  status(): StatusServerReport;
}

export interface StatusServerOptions {
  readonly host: string;
  readonly port: number;
  /** When set, every request must carry `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** Open connections at most; more are closed as they arrive. Default 64. */
  readonly maxConnections?: number;
  /** How long a kept-alive connection may wait for its next request. Default 2000. */
  readonly keepAliveTimeoutMs?: number;
  /** Time for a client to send its headers, and to say anything at all after connecting. Default 3000. */
  readonly headersTimeoutMs?: number;
  /** Time for a whole request. Default 5000. */
  readonly requestTimeoutMs?: number;
  /** At the cap, connections quiet for this long are closed to make room. Default 500. */
  readonly quietGraceMs?: number;
}

const DEFAULTS = { maxConnections: 64, keepAliveTimeoutMs: 2000, headersTimeoutMs: 3000, requestTimeoutMs: 5000, quietGraceMs: 500 } as const;
/** How often node:http looks for requests past their headers/request timeout (its default is 30 s). */
const TIMEOUT_CHECK_INTERVAL_MS = 1000;

/**
 * The per-agent HTTP endpoint. `/primary` and `/replica` answer 200 or 503 so
 * that HAProxy-style checks route by role; `/health` says whether the agent
 * itself works and reaches its store; `/metrics` is Prometheus text. It binds
 * only to the address the config names.
 *
 * The agent's HA cycle shares this process's open-file limit: a status port
 * left open to many clients once took every descriptor (EMFILE), and the
 * primary could no longer stop its application or demote. So the server
 * holds at most `maxConnections` sockets, closes quiet ones when it is full,
 * and times out idle and slow clients within seconds.
 */
export class StatusServer {
  private server: Server | undefined;
  private readonly connections = new StatusConnections();
  private readonly limits: Required<Omit<StatusServerOptions, 'host' | 'port' | 'token'>>;

  constructor(
    private readonly source: StatusServerSource,
    private readonly metrics: AgentMetrics,
    private readonly options: StatusServerOptions,
  ) {
    this.limits = { ...DEFAULTS, ...definedLimits(options) };
    for (const [name, value] of Object.entries(this.limits)) {
      if (!Number.isInteger(value) || value <= 0) throw new RangeError(`StatusServer option ${name} must be a positive integer, got ${String(value)}`);
    }
    if (this.limits.headersTimeoutMs > this.limits.requestTimeoutMs) {
      throw new RangeError(`StatusServer option headersTimeoutMs (${this.limits.headersTimeoutMs}) must not exceed requestTimeoutMs (${this.limits.requestTimeoutMs})`);
    }
  }

  async start(): Promise<{ host: string; port: number }> {
    const server = this.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => resolve());
    });
    this.server = server;
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : this.options.port;
    return { host: this.options.host, port };
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    this.connections.closeAll();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private createServer(): Server {
    const { maxConnections, keepAliveTimeoutMs, headersTimeoutMs, requestTimeoutMs, quietGraceMs } = this.limits;
    const server = createServer({ headersTimeout: headersTimeoutMs, requestTimeout: requestTimeoutMs, connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS }, (req, res) => {
      this.connections.requestStarted(req.socket);
      res.once('close', () => this.connections.requestEnded(req.socket));
      this.handle(req, res).catch((error: unknown) => send(res, 500, { error: (error as Error).message }));
    });
    server.maxConnections = maxConnections;
    server.keepAliveTimeout = keepAliveTimeoutMs;
    // headersTimeout counts from a request's first byte; this closes a socket that never sends one.
    server.timeout = headersTimeoutMs;
    server.on('connection', (socket) => this.connections.add(socket));
    // node:http has already closed the newcomer: count it and make room for the next one.
    server.on('drop', () => {
      this.metrics.statusConnectionRefused();
      this.connections.closeQuiet(quietGraceMs);
    });
    return server;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!this.authorised(req)) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      send(res, 401, { error: 'missing or wrong bearer token' });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'OPTIONS') {
      send(res, 405, { error: 'only GET, HEAD and OPTIONS' });
      return;
    }
    const status = this.source.status();
    const path = (req.url ?? '/').split('?')[0];
    switch (path) {
      case '/health': {
        const reason = unhealthyBecause(status);
        send(res, reason === undefined ? 200 : 503, reason === undefined ? status : { ...status, reason });
        return;
      }
      case '/primary':
        send(res, status.role === 'primary' && status.leaseValid ? 200 : 503, status);
        return;
      case '/replica':
        send(res, status.role === 'replica' && status.healthy ? 200 : 503, status);
        return;
      case '/metrics':
        res.writeHead(200, { 'Content-Type': this.metrics.registry.contentType });
        res.end(await this.metrics.registry.metrics());
        return;
      default:
        send(res, 404, { error: `unknown path ${path}; try /health, /primary, /replica or /metrics` });
    }
  }

  private authorised(req: IncomingMessage): boolean {
    const token = this.options.token;
    if (token === undefined) return true;
    const given = Buffer.from(req.headers.authorization ?? '');
    const wanted = Buffer.from(`Bearer ${token}`);
    return given.length === wanted.length && timingSafeEqual(given, wanted);
  }
}

/** Why `/health` answers 503, or undefined when it answers 200. */
export function unhealthyBecause(status: StatusServerReport): string | undefined {
  const reasons: string[] = [];
  if (!status.storeReachable) reasons.push(`the store is unreachable or not trusted: ${status.storeProblem ?? 'no reason given'}`);
  if (!status.healthy) reasons.push(`no HA cycle completed in the last ${status.lastCycleAgeMs} ms`);
  return reasons.length === 0 ? undefined : reasons.join('; ');
}

function definedLimits(options: StatusServerOptions): Partial<typeof DEFAULTS> {
  const keys = Object.keys(DEFAULTS) as (keyof typeof DEFAULTS)[];
  return Object.fromEntries(keys.filter((k) => options[k] !== undefined).map((k) => [k, options[k]]));
}

function send(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(`${JSON.stringify(body)}\n`);
}
