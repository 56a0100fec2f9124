import { Counter, Gauge, Histogram, Registry } from 'prom-client';

const ROLES = ['primary', 'replica', 'candidate', 'fenced', 'stopped', 'unknown'] as const;

/**
 * Prometheus metrics of one agent, in a registry of its own so that two
 * agents in one process (tests, the simulation) do not mix their numbers.
 */
export class AgentMetrics {
  readonly registry = new Registry();
  private readonly role = new Gauge({ name: 'tandem_role', help: '1 for the role this agent has now, 0 for the others', labelNames: ['role'], registers: [this.registry] });
  private readonly epoch = new Gauge({ name: 'tandem_epoch', help: 'Lease epoch this agent last acted under (the fencing token)', registers: [this.registry] });
  private readonly probeLatency = new Histogram({
    name: 'tandem_probe_latency_seconds',
    help: 'Time a health probe took, by probe instance and outcome',
    labelNames: ['probe', 'outcome'],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2, 4, 8],
    registers: [this.registry],
  });
  private readonly failovers = new Counter({ name: 'tandem_failovers_total', help: 'Promotions of this node after a failure or on request', labelNames: ['kind'], registers: [this.registry] });
  private readonly lastFailover = new Gauge({ name: 'tandem_last_failover_duration_seconds', help: 'From confirmed failure to promoted, for the last failover this node performed', registers: [this.registry] });
  private readonly cycles = new Counter({ name: 'tandem_cycles_total', help: 'HA cycles run', registers: [this.registry] });
  private readonly statusRefused = new Counter({
    name: 'tandem_status_connections_refused_total',
    help: 'Connections to the status endpoint closed on arrival because it already held its maximum',
    registers: [this.registry],
  });
  private cyclesSeen = 0;

  constructor(labels: { cluster: string; node: string }) {
    this.registry.setDefaultLabels(labels);
  }

  setRole(role: (typeof ROLES)[number], epoch: number): void {
    for (const r of ROLES) this.role.set({ role: r }, r === role ? 1 : 0);
    this.epoch.set(epoch);
  }

  observeProbe(probe: string, outcome: string, latencyMs: number): void {
    this.probeLatency.observe({ probe, outcome }, latencyMs / 1000);
  }

  failover(kind: 'failover' | 'switchover', durationMs: number): void {
    this.failovers.inc({ kind });
    this.lastFailover.set(durationMs / 1000);
  }

  statusConnectionRefused(): void {
    this.statusRefused.inc();
  }

  /** Bring the cycle counter up to the loop's own count. */
  cycle(total: number): void {
    if (total > this.cyclesSeen) this.cycles.inc(total - this.cyclesSeen);
    this.cyclesSeen = Math.max(this.cyclesSeen, total);
  }
}
