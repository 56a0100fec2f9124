import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { z } from 'zod';

export type SecretRef = { readonly env: string } | { readonly file: string };

/**
 * A secret given by reference. Its value is read once at load and is never
 * printed: `String(secret)`, JSON and `util.inspect` all show only the
 * reference, masked.
 */
export class Secret {
  #value: string | undefined;
  #warning: string | undefined;

  constructor(readonly ref: SecretRef) {}

  /**
   * Read the value; returns an error sentence instead of throwing, so the loader can name the config path.
   * A file readable by group or others still resolves, with `warning` set; with `strict` it is refused.
   */
  resolve(env: Readonly<Record<string, string | undefined>>, options: { readonly strict?: boolean } = {}): string | undefined {
    this.#warning = undefined;
    if ('env' in this.ref) {
      const v = env[this.ref.env];
      if (v === undefined || v === '') return `environment variable ${this.ref.env} is not set`;
      this.#value = v;
      return undefined;
    }
    let fd: number | undefined;
    try {
      // Mode and content from one descriptor, so a file swapped in between cannot pass the check.
      fd = openSync(this.ref.file, 'r');
      const mode = fstatSync(fd).mode & 0o777;
      if ((mode & 0o077) !== 0) {
        const sentence = `secret file ${this.ref.file} is readable by group or others (mode 0${mode.toString(8)}); chmod 600 ${this.ref.file} (strictSecrets: true refuses it)`;
        if (options.strict) return sentence;
        this.#warning = sentence;
      }
      this.#value = readFileSync(fd, 'utf8').replace(/\r?\n$/, '');
      return undefined;
    } catch (error) {
      return `cannot read secret file ${this.ref.file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`;
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }

  /** Set by `resolve` when the file was readable by group or others (and not refused). */
  get warning(): string | undefined {
    return this.#warning;
  }

  get resolved(): boolean {
    return this.#value !== undefined;
  }

  /** The plain value, for the one place that needs it (a connection option). */
  reveal(): string {
    if (this.#value === undefined) throw new Error(`secret ${this.describe()} was used before it was resolved`);
    return this.#value;
  }

  describe(): string {
    return 'env' in this.ref ? `env:${this.ref.env}` : `file:${this.ref.file}`;
  }

  toString(): string {
    return `<secret ${this.describe()}>`;
  }

  toJSON(): Record<string, string> {
    return { ...this.ref, value: '***' };
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'is not an environment variable name');

/**
 * Schema for a secret option: `{ env: NAME }` or `{ file: /path }`. A plain
 * string is refused so that passwords never sit in a config file that gets
 * shared, printed or committed.
 */
export function secret(): z.ZodType<Secret, unknown> {
  return z
    .union([z.strictObject({ env: envName }), z.strictObject({ file: z.string().min(1) })], {
      error: () => 'a secret must be given by reference, { env: NAME } or { file: /path/to/file }, never inline',
    })
    .transform((ref) => new Secret(ref));
}

/** Every Secret inside `value`, with its dotted path. */
export function findSecrets(value: unknown, path = ''): { path: string; secret: Secret }[] {
  if (value instanceof Secret) return [{ path, secret: value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => findSecrets(v, `${path}[${i}]`));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => findSecrets(v, path === '' ? k : `${path}.${k}`));
  }
  return [];
}

/**
 * Resolve each secret: what cannot be read (or, with `strict`, a file readable by group or others) is a
 * problem; such a file without `strict` is a warning. Both name the config path and the fix.
 */
export function resolveSecrets(
  secrets: readonly { path: string; secret: Secret }[],
  env: Readonly<Record<string, string | undefined>>,
  strict: boolean,
): { problems: { path: string; message: string; fix: string }[]; warnings: { path: string; message: string; fix: string }[] } {
  const problems: { path: string; message: string; fix: string }[] = [];
  const warnings: { path: string; message: string; fix: string }[] = [];
  for (const { path, secret } of secrets) {
    const failure = secret.resolve(env, { strict });
    const chmod = 'file' in secret.ref ? `chmod 600 ${secret.ref.file}` : '';
    if (failure) problems.push({ path, message: failure, fix: failure.includes('readable by group or others') ? chmod : 'set it where the agent runs, or point to a readable file' });
    else if (secret.warning) warnings.push({ path, message: secret.warning, fix: chmod });
  }
  return { problems, warnings };
}
