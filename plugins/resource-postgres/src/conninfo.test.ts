import { describe, expect, it } from 'vitest';
import { withSettings } from './auto-conf.js';
import { confValue, conninfo, conninfoValue, connectTimeoutS } from './conninfo.js';

describe('conninfo quoting', () => {
  it('leaves plain values bare and quotes the rest the libpq way', () => {
    expect(conninfoValue('192.0.2.11')).toBe('192.0.2.11');
    expect(conninfoValue('')).toBe("''");
    expect(conninfoValue("pa ss'w\\d")).toBe("'pa ss\\'w\\\\d'");
  });

  it('builds key=value strings and skips undefined entries', () => {
    expect(conninfo({ host: '/run/pg', port: 5432, user: 'repl', password: "it's", sslmode: undefined })).toBe("host=/run/pg port=5432 user=repl password='it\\'s'");
  });

  it('quotes postgresql.conf values by doubling quotes', () => {
    expect(confValue("host=a password='it\\'s'")).toBe("'host=a password=''it\\\\''s'''");
  });

  it('keeps connect_timeout within what libpq accepts', () => {
    expect(connectTimeoutS(300)).toBe(2);
    expect(connectTimeoutS(4500)).toBe(5);
    expect(connectTimeoutS(600_000)).toBe(30);
  });
});

describe('postgresql.auto.conf editing', () => {
  it('replaces earlier settings of the same names and keeps the rest', () => {
    const before = "# Do not edit\nprimary_conninfo = 'host=old'\nwork_mem = '8MB'\nPrimary_Slot_Name='x'\n\n";
    expect(withSettings(before, { primary_conninfo: 'host=new', primary_slot_name: 'tandem_b' })).toBe(
      "# Do not edit\nwork_mem = '8MB'\nprimary_conninfo = 'host=new'\nprimary_slot_name = 'tandem_b'\n",
    );
  });
});
