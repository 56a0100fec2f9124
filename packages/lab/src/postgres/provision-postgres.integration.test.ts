import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresBinDir } from '@tandem/testkit/postgres';
import { Lab } from '../lab.js';
import { serversNamed } from '../topology/lab-spec.js';
import { provisionPostgres } from './provision-postgres.js';
import type { LabPostgres } from './lab-postgres.js';

let lab: Lab;
let pg: LabPostgres;

beforeAll(async () => {
  lab = await Lab.up({ servers: serversNamed(3), store: {} }, { needsPostgres: () => Boolean(postgresBinDir()) });
  pg = await provisionPostgres(lab, { primary: 's1', replicas: ['s2', 's3'] });
}, 120_000);

afterAll(async () => {
  await lab?.down();
});

describe('PostgreSQL in the lab', () => {
  it('has one primary and two replicas streaming over the storage network, each naming itself', async () => {
    expect(await pg.role('s1')).toBe('primary');
    expect(await pg.role('s2')).toBe('replica');
    expect(await pg.role('s3')).toBe('replica');
    const senders = await pg.query({ server: 's1' }, "select application_name || ' ' || host(client_addr) from pg_stat_replication order by 1");
    expect(senders.split('\n')).toEqual([`s2 ${lab.address('s2', 'storage')}`, `s3 ${lab.address('s3', 'storage')}`]);
    for (const server of pg.servers) expect(await pg.query({ server }, 'show cluster_name')).toBe(server);
  });

  it('replicates a committed row to both replicas', async () => {
    await pg.query({ server: 's1' }, "create table lab_check(v text); insert into lab_check values ('hello')");
    for (const server of ['s2', 's3']) {
      await expect.poll(() => pg.query({ server }, 'select coalesce(max(v), \'\') from lab_check').catch(() => ''), { timeout: 10_000 }).toBe('hello');
    }
  });

  it('a power cycle of a replica brings its PostgreSQL back as a replica that streams again', async () => {
    await lab.bmcs.powerOff('s3');
    expect(await lab.pids('s3')).toEqual([]);
    await lab.bmcs.powerOn('s3');
    await pg.waitStreaming(30_000);
    expect(await pg.role('s3')).toBe('replica');
  });
});
