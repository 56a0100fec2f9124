import type { ClusterSettings } from '../ports/coordination-store.js';

/**
 * Apply a settings patch the way every store does: keys absent from the
 * patch are kept; `request` present with the value `undefined` clears the
 * pending request. Shared so that all stores agree on the edge cases.
 */
export function mergeSettings(current: ClusterSettings, patch: Partial<ClusterSettings>): ClusterSettings {
  const maintenance = patch.maintenance ?? current.maintenance;
  const request = 'request' in patch ? patch.request : current.request;
  return request === undefined ? { maintenance } : { maintenance, request };
}

export const DEFAULT_SETTINGS: ClusterSettings = Object.freeze({ maintenance: false });
