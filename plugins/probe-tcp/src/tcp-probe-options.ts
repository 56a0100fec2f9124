import { z } from 'zod';

export const tcpProbeOptions = z.strictObject({
  /** TCP port to connect to on each target. */
  port: z.number().int().min(1).max(65535),
  /** Which of the target's NICs to connect to. */
  nic: z.enum(['public', 'storage', 'privateA', 'privateB']).default('public'),
  /** Connect here instead of the NIC's address (a VIP, a load balancer, 127.0.0.1 in labs). */
  address: z
    .string()
    .regex(/^[\w.:-]+$/, 'must be an IPv4 address or a host name')
    .optional(),
  /** The health dimension these checks count for. */
  dimension: z.string().min(1).default('network'),
  /** The deadline the config falls back to when the instance sets no timeoutMs. */
  defaultTimeoutMs: z.number().int().positive().default(2000),
});

export type TcpProbeOptions = z.output<typeof tcpProbeOptions>;
