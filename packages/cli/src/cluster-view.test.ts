import { describe, expect, it } from 'vitest';
import { renderClusterView, type ClusterView } from './cluster-view.js';

const view: ClusterView = {
  cluster: 'orders3',
  lease: undefined,
  lastEpoch: 2,
  settings: { maintenance: false },
  lastPrimary: { node: 's3', epoch: 2, atWallMs: 0 },
  stuck: undefined,
  members: [],
  configuredNodes: ['s1', 's2', 's3'],
  silentNodes: [],
  recentEvents: [],
  warnings: [],
};

describe('renderClusterView', () => {
  it('says when the last primary holds the only copy of its writes (why nobody else takes over)', () => {
    expect(renderClusterView(view).split('\n')[0]).toBe('cluster orders3: NO PRIMARY; last epoch 2; last promoted s3 at epoch 2');
    const alone = renderClusterView({ ...view, lastPrimary: { node: 's3', epoch: 2, atWallMs: 0, soleCopy: true } }).split('\n')[0];
    expect(alone).toBe('cluster orders3: NO PRIMARY; last epoch 2; last promoted s3 at epoch 2 (SOLE COPY: its writes are on no other node; nobody else may take over)');
  });
});
