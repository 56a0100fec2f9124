import { z } from 'zod';

/** Same rule as probe-ping's sourceInterface: an interface name (or a local address), never something ping could read as a flag. */
const localInterface = (role: string) =>
  z.string().regex(/^[A-Za-z0-9][\w.@-]{0,14}$/, `sourceInterfaces.${role} must be a local interface name such as eth2 (or this host's address on that network)`);

export const heartbeatProbeOptions = z.strictObject({
  /**
   * Local interfaces to send from, by NIC role. Normally not needed: the
   * local node's `nics.<role>.name` from the config is used. Set these when
   * the config gives addresses only, so each echo is bound to its own wire.
   */
  sourceInterfaces: z
    .strictObject({
      privateA: localInterface('privateA').optional(),
      privateB: localInterface('privateB').optional(),
      public: localInterface('public').optional(),
      storage: localInterface('storage').optional(),
    })
    .default({}),
  /** Networks on which a peer silent on both private links is pinged to tell "partitioned" from "dead". */
  confirmOn: z
    .array(z.enum(['public', 'storage'], { error: () => 'confirmOn entries must be public or storage (the networks other than the two private links)' }))
    .min(1, 'confirmOn needs at least one network (public, storage): without it a dead peer cannot be told from a cut heartbeat')
    .refine((roles) => new Set(roles).size === roles.length, 'confirmOn lists a network twice; list public and/or storage once each')
    .default(['public', 'storage']),
  /** The health dimension these checks count for. */
  dimension: z.string().min(1, 'dimension must be a non-empty name such as heartbeat').default('heartbeat'),
  /** The deadline the config falls back to when the instance sets no timeoutMs; half is for the private links, the rest for confirmation. */
  defaultTimeoutMs: z.number().int().min(400, 'defaultTimeoutMs must be at least 400 ms: two rounds of pings share it').default(2000),
});

export type HeartbeatProbeOptions = z.output<typeof heartbeatProbeOptions>;
export type HeartbeatProbeOptionsInput = z.input<typeof heartbeatProbeOptions>;
