import { constants, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import { TandemError, type Problem } from '../errors.js';
import { clusterConfig, type ClusterConfig } from './schema.js';
import { formatPath, issuesToProblems } from './format-issues.js';
import { crossCheck } from './cross-check.js';
import { findSecrets, resolveSecrets } from './secret.js';

export interface LoadOptions {
  /** Where secrets given as `{ env: NAME }` are read from. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Skip reading secrets (validate a file on a workstation that lacks them). */
  readonly skipSecrets?: boolean;
}

export interface LoadedConfig {
  readonly config: ClusterConfig;
  /** The file it came from, or `<inline>`. */
  readonly source: string;
  /** Secret files readable by group or others (refused instead with `strictSecrets: true`). */
  readonly warnings: readonly Problem[];
}

/** A config is a few KiB; anything near this is the wrong file (a log, a dump), not a cluster. */
export const CONFIG_FILE_BYTES_MAX = 1024 * 1024;

/** Aliases expanded when the YAML becomes data; a config needs a handful, an alias bomb needs millions. */
const YAML_ALIASES_MAX = 100;

/** Read, parse and validate a config file. Throws TandemError('invalidConfig') with every problem found. */
export async function loadConfigFile(file: string, options: LoadOptions = {}): Promise<LoadedConfig> {
  return parseConfig(await readConfigText(file), file, options);
}

/**
 * The file's text, refusing what is not a regular file (a FIFO would block
 * the read for ever, a device would never end) and anything over
 * CONFIG_FILE_BYTES_MAX. Opened non-blocking and checked on the open
 * descriptor, so a path swapped after a stat cannot slip through.
 */
async function readConfigText(file: string): Promise<string> {
  const refuse = (message: string, fix: string, cause?: unknown): TandemError =>
    new TandemError('invalidConfig', `cannot read config file ${file}`, { problems: [{ path: '', message, fix }], ...(cause === undefined ? {} : { cause }) });
  let handle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw refuse(code === 'ENOENT' ? 'no such file' : `read failed (${code ?? 'unknown'})`, 'pass the path of a Tandem YAML config, e.g. examples/demo.yaml', error);
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw refuse(`not a regular file (${fileKind(stats)})`, 'pass a regular file holding the YAML config (copy it out of a pipe or process substitution first)');
    if (stats.size > CONFIG_FILE_BYTES_MAX) throw refuse(`larger than ${CONFIG_FILE_BYTES_MAX} bytes`, 'is this the right file? A Tandem config is a few KiB; pass the cluster\'s YAML config');
    // Read at most one byte past the limit: a file that grew after the stat is still caught.
    const buffer = Buffer.alloc(CONFIG_FILE_BYTES_MAX + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > CONFIG_FILE_BYTES_MAX) throw refuse(`larger than ${CONFIG_FILE_BYTES_MAX} bytes`, 'is this the right file? A Tandem config is a few KiB; pass the cluster\'s YAML config');
    }
    return buffer.subarray(0, length).toString('utf8');
  } catch (error) {
    if (error instanceof TandemError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw refuse(`read failed (${code ?? 'unknown'})`, 'pass the path of a Tandem YAML config, e.g. examples/demo.yaml', error);
  } finally {
    await handle.close();
  }
}

function fileKind(stats: Stats): string {
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isDirectory()) return 'a directory';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a plain file';
}

export function parseConfig(text: string, source = '<inline>', options: LoadOptions = {}): LoadedConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e): Problem => {
      const pos = e.linePos?.[0];
      const where = pos ? `line ${pos.line}, column ${pos.col}` : '';
      const duplicate = e.code === 'DUPLICATE_KEY';
      return {
        path: where,
        message: duplicate ? 'a key appears twice in the same mapping (a duplicate node or instance?)' : (e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, ''),
        fix: duplicate ? 'give every node and key a unique name' : 'fix the YAML syntax (indentation, quotes, colons)',
      };
    });
    throw new TandemError('invalidConfig', `${source} is not valid YAML`, { problems });
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: YAML_ALIASES_MAX });
  } catch (error) {
    // yaml throws a ReferenceError past maxAliasCount (and for an alias to nothing); either way the file is not a config.
    throw new TandemError('invalidConfig', `${source} is not valid YAML`, {
      problems: [{ path: '', message: `its aliases expand too far or point nowhere (${error instanceof Error ? error.message : String(error)})`, fix: 'write the values out instead of using YAML anchors and aliases (& and *)' }],
      cause: error,
    });
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new TandemError('invalidConfig', `${source} does not describe a cluster`, {
      problems: [{ path: '', message: 'the file must be a YAML mapping with cluster, nodes, ...', fix: 'start from one of the files in examples/' }],
    });
  }
  const parsed = clusterConfig.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    throw invalid(source, withLines(issuesToProblems(parsed.error.issues), doc, lineCounter));
  }
  const problems = crossCheck(parsed.data);
  const warnings: Problem[] = [];
  if (!options.skipSecrets) {
    const env = options.env ?? process.env;
    const resolved = resolveSecrets(findSecrets(parsed.data), env, parsed.data.strictSecrets);
    problems.push(...resolved.problems);
    warnings.push(...resolved.warnings);
  }
  if (problems.length > 0) throw invalid(source, withLines(problems, doc, lineCounter));
  return { config: parsed.data, source, warnings };
}

function invalid(source: string, problems: Problem[]): TandemError {
  const n = problems.length;
  return new TandemError('invalidConfig', `${source}: ${n} problem${n === 1 ? '' : 's'} in the config`, { problems });
}

/** Add the YAML line of each problem's path, when the path exists in the file. */
function withLines(problems: Problem[], doc: Document, lines: LineCounter): Problem[] {
  return problems.map((p) => {
    const keys = splitPath(p.path);
    for (let n = keys.length; n > 0; n--) {
      const node = doc.getIn(keys.slice(0, n), true);
      if (isNode(node) && node.range) {
        const { line } = lines.linePos(node.range[0]);
        return { ...p, path: `${formatPath(keys)} (line ${line})` };
      }
    }
    return p;
  });
}

function splitPath(path: string): (string | number)[] {
  const keys: (string | number)[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (m[2] !== undefined) keys.push(Number(m[2]));
    else if (m[1] !== undefined) keys.push(m[1]);
  }
  return keys;
}
