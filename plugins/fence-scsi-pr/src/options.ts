import { z } from 'zod';

const IQN = /^iqn\.\d{4}-\d{2}\.[^\s:]+(:\S+)?$/;

/** A LUN by stable path, or by target IQN and LUN number (found in `iscsiadm -m session -P 3`). */
export const deviceSpec = z.union(
  [
    z.string().regex(/^\/dev\/\S+$/, { message: 'a device path must start with /dev/ (prefer /dev/disk/by-path/... or /dev/disk/by-id/..., which survive re-login)' }),
    z.strictObject({
      targetIqn: z.string().regex(IQN, { message: 'targetIqn must be an iSCSI qualified name like iqn.2003-01.org.linux-iscsi.stor1:lun0' }),
      lun: z.number().int().min(0).max(16383).default(0),
    }),
  ],
  { error: 'each entry of devices is a /dev/... path or { targetIqn, lun }' },
);

/** Options of one `fence-scsi-pr` instance (a fencing level, or the resource that claims the LUNs on promotion). */
export const scsiPrOptions = z.strictObject({
  /** Every shared LUN the primary writes to: each carries the reservation. */
  devices: z.array(deviceSpec).min(1, { message: 'devices must list at least one shared LUN: add /dev/disk/by-path/... or { targetIqn, lun }' }),
  /**
   * Node ids (1..65535) that form the top 2 bytes of each key. Default: a
   * 16-bit hash of the node name. Set them when two names hash alike (the
   * plugin says so at every call) or to read keys at a glance.
   */
  nodeIds: z
    .record(z.string().min(1), z.number().int().min(1, { message: 'nodeIds values are 1..65535 (0 would make key 0, which means "no key")' }).max(65535, { message: 'nodeIds values are 1..65535' }))
    .optional(),
  /**
   * 5 Write Exclusive – Registrants Only (default): a node that is not
   * registered can still read (the standby examines the md superblocks) but
   * not write. 6 Exclusive Access – Registrants Only also refuses its reads.
   */
  reservationType: z.union([z.literal(5), z.literal(6)], { error: 'reservationType is 5 (write exclusive, registrants only) or 6 (exclusive access, registrants only)' }).default(5),
  /** Bound on one sg_persist or iscsiadm run; the caller's deadline still bounds the whole call. */
  commandTimeoutMs: z.number().int().min(100).max(120_000).default(10_000),
});

export type ScsiPrOptions = z.output<typeof scsiPrOptions>;
export type ScsiPrOptionsInput = z.input<typeof scsiPrOptions>;
export type DeviceSpec = z.output<typeof deviceSpec>;
