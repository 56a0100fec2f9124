import { describe, expect, it } from 'vitest';
import { parseConfig } from '@tandem/core';
import { configForLab } from './config-for-lab.js';
import { labSpecFromConfig } from './lab-from-config.js';

const CONFIG = `# an operator's comment stays
cluster: t
store: { type: redis, host: 192.0.2.50, port: 6379 }
gateway: { address: 192.0.2.1 }
nodes:
  a1:
    management: 203.0.113.201
    nics: { public: 192.0.2.11/24, storage: { name: eth1, address: 198.51.100.11/25 } }
  a2:
    nics: { public: 192.0.2.12/24 }
    overrides:
      db: { options: { port: 5433 } }
resources:
  - id: db
    plugin: resource-process
    options: { command: [sleep, '1'], pidFile: /run/x.pid }
`;

describe('configForLab', () => {
  it('merges lab paths into each node overrides and keeps everything else as written', () => {
    const text = configForLab(CONFIG, { a1: { db: { pidFile: '/lab/a1/x.pid' } }, a2: { db: { pidFile: '/lab/a2/x.pid' } } });
    expect(text).toContain("# an operator's comment stays");
    const { config } = parseConfig(text, 'lab', { skipSecrets: true });
    expect(config.nodes.a1?.overrides).toEqual({ db: { options: { pidFile: '/lab/a1/x.pid' } } });
    expect(config.nodes.a2?.overrides).toEqual({ db: { options: { port: 5433, pidFile: '/lab/a2/x.pid' } } });
  });
});

describe('labSpecFromConfig', () => {
  it('builds one server per node at the node addresses, with its BMC, the gateway and the Redis store', () => {
    const { config } = parseConfig(CONFIG, 'lab', { skipSecrets: true });
    expect(labSpecFromConfig(config)).toEqual({
      servers: [
        { name: 'a1', nics: { public: '192.0.2.11', storage: '198.51.100.11' }, bmc: '203.0.113.201' },
        { name: 'a2', nics: { public: '192.0.2.12' } },
      ],
      gateway: '192.0.2.1',
      store: { address: '192.0.2.50', port: 6379 },
    });
  });
});
