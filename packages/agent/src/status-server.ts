import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { StatusReportSource } from './status-report.js';
import type { AgentMetrics } from './metrics.js';

export interface StatusServerOptions {
  readonly host: string;
  readonly port: number;
  /** When set, every request must carry `Authorization: Bearer <token>`. */
  readonly token?: string;
}

/**
 * The per-agent HTTP endpoint. `/primary` and `/replica` answer 200 or 503 so
 * that HAProxy-style checks route by role; `/health` says whether the agent
 * itself works; `/metrics` is Prometheus text. It binds only to the address
 * the config names.
 */
export class StatusServer {
  private server: Server | undefined;

  constructor(
    private readonly source: StatusReportSource,
    private readonly metrics: AgentMetrics,
    private readonly options: StatusServerOptions,
  ) {}

  async start(): Promise<{ host: string; port: number }> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => send(res, 500, { error: (error as Error).message }));
    });
    // A slow or stuck client must not hold the agent's sockets open.
    server.requestTimeout = 5000;
    server.headersTimeout = 5000;
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
    await new Promise<void>((resolve) => server.close(() => resolve()));
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
      case '/health':
        send(res, status.healthy ? 200 : 503, status);
        return;
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

function send(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(`${JSON.stringify(body)}\n`);
}
