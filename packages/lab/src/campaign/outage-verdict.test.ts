import { describe, expect, it } from 'vitest';
import type { WriteAttempt } from '../checkers/workload-records.js';
import { classifyOutage, holdingsOf, nodeUp, type ClusterSample, type NodeSample } from './outage-verdict.js';

const acked = (seq: number, host: string, atMs = seq * 100): WriteAttempt => ({ kind: 'write', writer: 'w1', seq, startMs: atMs - 5, endMs: atMs, outcome: 'acked', host });
const rows = (...seqs: number[]): { writer: string; seq: number }[] => seqs.map((seq) => ({ writer: 'w1', seq }));
const sample = (atMs: number, ...nodes: NodeSample[]): ClusterSample => ({ atMs, nodes });
const node = (name: string, up: boolean, extra: Partial<NodeSample> = {}): NodeSample => ({ node: name, powered: up, agentRunning: true, heartbeat: up, ...extra });

describe('holdingsOf', () => {
  const attempts = [acked(1, 's1'), acked(2, 's1'), acked(3, 's2'), { ...acked(4, 's2'), outcome: 'failed' as const }];

  it('trusts a database that could be read: all acknowledged rows, or how many it has', () => {
    const held = holdingsOf(['s1', 's2'], attempts, new Map([['s1', rows(1, 2)], ['s2', rows(1, 2, 3)]]));
    expect(held.map((h) => [h.node, h.holdsAll, h.ackedHeld])).toEqual([['s1', false, 2], ['s2', true, 3]]);
    expect(held[0]?.why).toBe('its database has 2 of the 3 acknowledged writes');
  });

  it('without a readable database, credits only the node that answered the last acknowledged write', () => {
    const held = holdingsOf(['s1', 's2', 's3'], attempts, new Map([['s1', undefined], ['s2', undefined]]));
    expect(held.map((h) => [h.node, h.holdsAll, h.ackedHeld])).toEqual([['s1', false, undefined], ['s2', true, undefined], ['s3', false, undefined]]);
    expect(held[1]?.why).toContain('answered the last acknowledged write (w1:3)');
  });

  it('a database missing an acknowledged row does not hold them all, even if it answered last', () => {
    expect(holdingsOf(['s2'], attempts, new Map([['s2', rows(1, 3)]]))[0]?.holdsAll).toBe(false);
  });
});

describe('nodeUp', () => {
  it('needs power, a running agent and a heartbeat, where each could be seen', () => {
    expect(nodeUp({ node: 's1', powered: true })).toBe(true);
    expect(nodeUp({ node: 's1', powered: false })).toBe(false);
    expect(nodeUp({ node: 's1', powered: true, agentRunning: false })).toBe(false);
    expect(nodeUp({ node: 's1', powered: true, agentRunning: true, heartbeat: false })).toBe(false);
  });
});

describe('classifyOutage', () => {
  const holders = holdingsOf(['s1', 's2'], [acked(1, 's1'), acked(2, 's1')], new Map([['s1', undefined], ['s2', rows(1)]]));

  it('is stuck when a node holding every acknowledged write was up at any sample', () => {
    const verdict = classifyOutage(holders, [sample(1, node('s1', false), node('s2', true)), sample(2, node('s1', true, { role: 'replica', ineligible: 'database not running' }), node('s2', true))]);
    expect(verdict.kind).toBe('stuck');
    expect(verdict.kind === 'stuck' && verdict.upHolders).toEqual(['s1']);
    expect(verdict.summary).toContain('s1 held every acknowledged write and was up');
    expect(verdict.summary).toContain('up in 1 of 2 samples, last seen as replica (ineligible: database not running)');
  });

  it('is unrestorable when no such node was up, and names the node and what it holds', () => {
    const verdict = classifyOutage(holders, [sample(1, node('s1', false), node('s2', true)), sample(2, node('s1', true, { heartbeat: false }), node('s2', true))]);
    expect(verdict.kind).toBe('unrestorable');
    expect(verdict.summary).toMatch(/^unrestorable: no node holding every acknowledged write was up: s1 \(it answered the last acknowledged write \(w1:2\)/);
  });

  it('is unrestorable, saying so, when nobody is known to hold them', () => {
    const none = holdingsOf(['s1'], [acked(1, 's9')], new Map([['s1', rows()]]));
    expect(classifyOutage(none, [sample(1, node('s1', true))]).summary).toBe('unrestorable: no node holding every acknowledged write was up: no node is known to hold every acknowledged write');
  });
});
