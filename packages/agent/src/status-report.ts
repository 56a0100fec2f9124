/** What the status endpoint and `tandem status` report about one agent. */
export interface StatusReport {
  readonly cluster: string;
  readonly node: string;
  readonly role: 'primary' | 'replica' | 'candidate' | 'fenced' | 'stopped' | 'unknown';
  readonly epoch: number;
  /** This node holds the lease and it has not lapsed by its own reckoning. */
  readonly leaseValid: boolean;
  /** The loop runs, its last cycle is recent, and the store answered. */
  readonly healthy: boolean;
  readonly lastCycleAgeMs: number;
  readonly summary: string;
  readonly maintenance: boolean;
  /** Why this node could not take over now (a replica only); absent when it could. */
  readonly ineligible?: string;
}

export interface StatusReportSource {
  status(): StatusReport;
}
