/** What a test server's postgresql.conf needs beyond initdb's defaults. */
export interface TestPostgresConfInput {
  readonly port: number;
  readonly socketDir: string;
  readonly clusterName: string;
  /** Applied last, so a test can override any default. Values are plain (unquoted) strings. */
  readonly settings?: Readonly<Record<string, string>>;
}

const SETTING_NAME = /^[A-Za-z_][A-Za-z0-9_.]*$/;

/** A postgresql.conf value in single quotes (valid for every setting type), quotes doubled. */
export function quoteConfValue(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/** `name = 'value'` lines; a bad setting name throws instead of producing a file PostgreSQL rejects at start. */
export function renderPostgresConf(settings: Readonly<Record<string, string>>): string {
  const lines = Object.entries(settings).map(([name, value]) => {
    if (!SETTING_NAME.test(name)) throw new Error(`postgres harness: "${name}" is not a valid postgresql.conf setting name`);
    return `${name} = ${quoteConfValue(value)}`;
  });
  return `\n# Added by @tandem/testkit postgres harness\n${lines.join('\n')}\n`;
}

/**
 * Settings for a throwaway server on loopback: TCP on 127.0.0.1 only, the
 * unix socket in the test's own directory (not /var/run/postgresql, which a
 * system server may own), small memory, and cluster_name naming the server
 * (the lab checkers read it back to learn which server took a write).
 */
export function testPostgresSettings(input: TestPostgresConfInput): Record<string, string> {
  return {
    listen_addresses: '127.0.0.1',
    port: String(input.port),
    unix_socket_directories: input.socketDir,
    cluster_name: input.clusterName,
    shared_buffers: '16MB',
    max_connections: '40',
    logging_collector: 'off',
    log_line_prefix: '%m [%p] ',
    ...input.settings,
  };
}
