import { z } from 'zod';

export const pingProbeOptions = z.strictObject({
  /** Which of the target's NICs to ping. */
  nic: z.enum(['public', 'storage', 'privateA', 'privateB'], {
    error: () => 'nic must be one of public, storage, privateA, privateB (the NIC roles under nodes.<name>.nics)',
  }).default('public'),
  /** Ping this address instead of the NIC's (the gateway, a VIP, 127.0.0.1 in tests). */
  address: z
    .string()
    .regex(/^[A-Za-z0-9][\w.:-]*$/, 'address must be an IPv4 address or a host name, e.g. 192.0.2.1')
    .optional(),
  /** Send from this local interface (`ping -I`), so the echo leaves through the NIC under test. */
  sourceInterface: z
    .string()
    .regex(/^[A-Za-z0-9][\w.@-]{0,14}$/, 'sourceInterface must be a local interface name such as eth2')
    .optional(),
  /** The health dimension these checks count for (`gateway` for a gateway ping). */
  dimension: z.string().min(1, 'dimension must be a non-empty name such as network or gateway').default('network'),
  /** The deadline the config falls back to when the instance sets no timeoutMs. */
  defaultTimeoutMs: z.number().int().positive('defaultTimeoutMs must be a positive number of milliseconds').default(2000),
});

export type PingProbeOptions = z.output<typeof pingProbeOptions>;
export type PingProbeOptionsInput = z.input<typeof pingProbeOptions>;
