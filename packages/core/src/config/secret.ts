import { readFileSync } from 'node:fs';
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

  constructor(readonly ref: SecretRef) {}

  /** Read the value; returns an error sentence instead of throwing, so the loader can name the config path. */
  resolve(env: Readonly<Record<string, string | undefined>>): string | undefined {
    if ('env' in this.ref) {
      const v = env[this.ref.env];
      if (v === undefined || v === '') return `environment variable ${this.ref.env} is not set`;
      this.#value = v;
      return undefined;
    }
    try {
      this.#value = readFileSync(this.ref.file, 'utf8').replace(/\r?\n$/, '');
      return undefined;
    } catch (error) {
      return `cannot read secret file ${this.ref.file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`;
    }
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
