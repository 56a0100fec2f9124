import { z } from 'zod';

const absolutePath = (option: string) =>
  z.string().regex(/^\/[^\0]*$/, `${option} must be an absolute path, e.g. /etc/tandem/ssh/${option === 'identityFile' ? 'id_ed25519' : 'known_hosts'}`);

export const sshProbeOptions = z.strictObject({
  /** The account that logs in; it needs nothing but a shell that can run `true`. */
  user: z.string().regex(/^[a-z_][a-z0-9_.-]{0,31}$/, 'user must be a login name such as tandem (lower-case letters, digits, _ . -)'),
  /** Private key for public-key authentication (ssh -i). Must be readable by the agent and not group/world readable. */
  identityFile: absolutePath('identityFile'),
  /**
   * The only host keys this probe trusts (UserKnownHostsFile, with strict
   * checking): required, because trusting a first-seen key on a safety path
   * would let anything that grabs the address pass the probe.
   */
  knownHostsFile: absolutePath('knownHostsFile'),
  port: z.number().int().min(1, 'port must be 1-65535').max(65535, 'port must be 1-65535').default(22),
  /** Which of the target's NICs to log in on. */
  nic: z
    .enum(['public', 'storage', 'privateA', 'privateB'], {
      error: () => 'nic must be one of public, storage, privateA, privateB (the NIC roles under nodes.<name>.nics)',
    })
    .default('public'),
  /** Log in here instead of the NIC's address (127.0.0.1 in tests). */
  address: z
    .string()
    .regex(/^[A-Za-z0-9][\w.:-]*$/, 'address must be an IPv4 address or a host name, e.g. 192.0.2.12')
    .optional(),
  dimension: z.string().min(1, 'dimension must be a non-empty name such as host-login').default('host-login'),
  /** The deadline the config falls back to when the instance sets no timeoutMs; a login takes a few hundred ms. */
  defaultTimeoutMs: z.number().int().positive('defaultTimeoutMs must be a positive number of milliseconds').default(5000),
});

export type SshProbeOptions = z.output<typeof sshProbeOptions>;
export type SshProbeOptionsInput = z.input<typeof sshProbeOptions>;
