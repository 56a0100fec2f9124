import type { Timing } from '@tandem/core';
import { FENCE_ATTEMPTS_MAX, standDownMs } from '@tandem/core';

/** The cluster every seed simulates: three nodes, two fencing levels, timings scaled so ~60 s of cluster time covers faults and recovery. */
export interface SimConfig {
  readonly nodes: readonly string[];
  readonly timing: Timing;
  readonly confirmFailures: number;
  /** Fencer ids per level, in order. */
  readonly fenceLevels: readonly (readonly string[])[];
  /** Upper bound of one simulated resource or recovery step. */
  readonly stepMaxMs: number;
  readonly writeIntervalMs: number;
  readonly sampleIntervalMs: number;
  readonly faultsFromMs: number;
  readonly faultsUntilMs: number;
  /** Writes are acknowledged only once a replica's WAL mirror holds them, and no promotion may lose one. */
  readonly zeroLoss: boolean;
}

export const DEFAULT_SIM_CONFIG: SimConfig = {
  nodes: ['db1', 'db2', 'db3'],
  timing: {
    probeIntervalMs: 1000,
    gatewayTimeoutMs: 1000,
    leaseTtlMs: 6000,
    leaseRenewIntervalMs: 1500,
    fenceTimeoutMs: 1500,
    storeTimeoutMs: 500,
    actionTimeoutMs: 3000,
  },
  confirmFailures: 3,
  fenceLevels: [['ipmi'], ['pdu-a', 'pdu-b']],
  stepMaxMs: 300,
  writeIntervalMs: 250,
  sampleIntervalMs: 250,
  faultsFromMs: 6000,
  faultsUntilMs: 25_000,
  zeroLoss: true,
};

/** The zero-loss pair: one primary, one replica whose WAL mirror must hold every acknowledged write. */
export const TWO_NODE_SIM_CONFIG: SimConfig = { ...DEFAULT_SIM_CONFIG, nodes: ['db1', 'db2'] };

export interface LivenessBound {
  readonly boundMs: number;
  readonly parts: Readonly<Record<string, number>>;
}

/**
 * How long after the last fault heals a primary must exist, from the
 * config alone: the old lease lapses, a node that abandoned an election
 * stands down, cycles line up, the self-check and the store calls answer,
 * every fencing level may use its full timeout on every attempt, the
 * compensate and promote actions finish, plus two cycles of slack.
 */
export function livenessBound(c: SimConfig): LivenessBound {
  const t = c.timing;
  const parts = {
    leaseLapse: t.leaseTtlMs,
    standDown: standDownMs(t),
    cycles: 2 * t.probeIntervalMs,
    selfCheck: t.gatewayTimeoutMs,
    storeCalls: 4 * t.storeTimeoutMs,
    fencing: FENCE_ATTEMPTS_MAX * c.fenceLevels.length * t.fenceTimeoutMs,
    compensateAndPromote: 2 * t.actionTimeoutMs,
    slack: 2 * t.probeIntervalMs,
  };
  return { boundMs: Object.values(parts).reduce((a, b) => a + b, 0), parts };
}
