import { describe, expect, it } from 'vitest';
import { quoteConfValue, renderPostgresConf, testPostgresSettings } from './postgres-conf.js';

describe('postgresql.conf rendering', () => {
  it('quotes every value and doubles embedded quotes', () => {
    expect(quoteConfValue("it's")).toBe("'it''s'");
    expect(quoteConfValue('a\\b')).toBe("'a\\\\b'");
    expect(renderPostgresConf({ port: '5433', cluster_name: 'a' })).toContain("port = '5433'\ncluster_name = 'a'");
  });

  it('rejects a setting name PostgreSQL would refuse at start', () => {
    expect(() => renderPostgresConf({ 'bad name': 'x' })).toThrow(/not a valid postgresql.conf setting name/);
  });

  it('listens on loopback only, names the cluster, and lets a test override defaults', () => {
    const settings = testPostgresSettings({ port: 5999, socketDir: '/tmp/x', clusterName: 'a', settings: { max_connections: '10' } });
    expect(settings).toMatchObject({ listen_addresses: '127.0.0.1', port: '5999', unix_socket_directories: '/tmp/x', cluster_name: 'a', max_connections: '10' });
  });
});
