import { secret } from '@tandem/core';
import { z } from 'zod';

/** mdadm prints and takes array UUIDs as four groups of eight hex digits joined by colons. */
const MD_UUID = /^[0-9a-f]{8}(:[0-9a-f]{8}){3}$/;

/**
 * An iSCSI qualified name (RFC 3720 3.2.6.3.1): `iqn.YYYY-MM.reversed.domain[:anything]`. Upper case is
 * refused because initiators and LIO compare names as given, and an ACL written in another case never matches.
 */
const IQN = /^iqn\.\d{4}-\d{2}\.[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[a-z0-9.:{}-]+)?$/;

/** Kernel array names become /dev/md/<name>; mdadm keeps at most 32 bytes including its `host:` prefix. */
const MD_NAME = /^[a-z0-9][a-z0-9_-]{0,23}$/;

/** What targetcli accepts as a storage-object and ACL-safe word, and what survives a shell script unquoted. */
const SAFE_WORD = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;

const ipv4 = z.string().refine((s) => /^(\d{1,3})(\.\d{1,3}){3}$/.test(s) && s.split('.').every((o) => Number(o) <= 255), {
  message: 'must be an IPv4 address',
  params: { fix: "write the storage host's address on the storage network, e.g. 198.51.100.21" },
});

const iqn = (what: string): z.ZodString =>
  z.string().regex(IQN, {
    message: `${what} must be an iSCSI qualified name in lower case (iqn.YYYY-MM.reversed.domain:suffix)`,
  });

/** One storage host ("array") that exports one LUN. It is not a cluster node. */
export const storageArray = z.strictObject({
  /** Short name used in status and messages ("array1"); also names the LIO backstore. */
  name: z.string().regex(SAFE_WORD, 'must be 1-32 letters, digits, _ . - (it names the LIO backstore)'),
  /** The storage host's address on the storage network: the only address its portal listens on. */
  portal: ipv4,
  port: z.number().int().min(1).max(65535).default(3260),
  targetIqn: iqn('targetIqn'),
  /** The block device on the storage host that backs the LUN (/dev/vdb, /dev/disk/by-id/...). */
  device: z.string().regex(/^\/dev\/[A-Za-z0-9/_.:-]+$/, 'must be a block device path under /dev, e.g. /dev/vdb'),
});

export const volumeOptions = z
  .strictObject({
    /** The array's identity: mdadm's UUID form. Every assemble checks it; a member with another UUID is never used. */
    arrayUuid: z
      .string()
      .transform((s) => s.toLowerCase())
      .refine((s) => MD_UUID.test(s), {
        message: 'must be an mdadm array UUID: four groups of 8 hex digits joined by colons',
        params: { fix: 'generate one with `uuidgen | tr -d - | sed "s/.\\{8\\}/&:/g;s/:$//"`, e.g. 3f6b1c2e:9a0d4b7f:5c1e8a22:7d90e4c1' },
      }),
    /** The array appears as /dev/md/<mdName>. */
    mdName: z.string().regex(MD_NAME, 'must be 1-24 lower-case letters, digits, _ or - (it becomes /dev/md/<mdName>)').default('tandem-data'),
    /** This node's initiator name; `{node}` becomes the node's name, so one pattern serves every node. */
    initiatorIqn: iqn('initiatorIqn'),
    /** Exactly two storage hosts, one LUN each, of equal size. */
    arrays: z
      .array(storageArray)
      .refine((a) => a.length === 2, {
        message: 'must list exactly two storage hosts: a RAID-1 mirror has two members',
        params: { fix: 'give one entry per storage host, each with name, portal, targetIqn and device' },
      })
      .refine((a) => a.length !== 2 || a[0]!.name !== a[1]!.name, { message: 'the two arrays need different names' })
      .refine((a) => a.length !== 2 || a[0]!.targetIqn !== a[1]!.targetIqn, { message: 'the two arrays need different targetIqn values' }),
    /** Optional one-way CHAP: the initiator proves itself to the targets. */
    chap: z
      .strictObject({
        user: z.string().regex(SAFE_WORD, 'must be 1-32 letters, digits, _ . -'),
        /** By reference only; LIO wants 12-16 characters for interoperability with other initiators. */
        password: secret(),
      })
      .optional(),
    /** Mount the md device after assembling it (and unmount before stopping it). */
    mount: z
      .strictObject({
        path: z.string().regex(/^\/[A-Za-z0-9/_.-]*$/, 'must be an absolute path'),
        fsType: z.enum(['ext4', 'xfs']).default('ext4'),
        options: z.string().regex(/^[a-z0-9_,=.-]+$/, 'must be mount -o options, e.g. noatime').optional(),
      })
      .optional(),
    /**
     * Start with one member when its superblock does not say the other member failed. Only an operator who
     * knows the present member is the fresher one should set it: it may serve stale data otherwise.
     */
    allowDegradedTakeover: z.boolean().default(false),
    /**
     * open-iscsi's replacement_timeout (seconds): how long I/O to a lost array is queued before it fails.
     * md drops the member only after that, so a short value keeps the mirror writing, degraded, instead of
     * hanging for open-iscsi's default 120 s.
     */
    replacementTimeoutS: z.number().int().min(1).max(600).default(15),
    /** Bound on each iscsiadm/mdadm/targetcli call. */
    commandTimeoutMs: z.number().int().min(1000).max(600_000).default(30_000),
  })
  .superRefine((o, ctx) => {
    if (o.arrays.length === 2 && o.arrays[0]!.portal === o.arrays[1]!.portal && o.arrays[0]!.port === o.arrays[1]!.port) {
      ctx.addIssue({ code: 'custom', path: ['arrays', 1, 'portal'], message: 'both arrays use the same portal; a mirror on one storage host does not survive losing it' });
    }
  });

export type VolumeOptions = z.output<typeof volumeOptions>;
export type VolumeOptionsInput = z.input<typeof volumeOptions>;
export type StorageArray = z.output<typeof storageArray>;

/** The iscsiadm interface Tandem creates and binds to the storage NIC; logins go only through it. */
export const ISCSI_IFACE = 'tandem-storage';

/** The initiator name of one node: the pattern with `{node}` filled in. */
export function initiatorIqnFor(pattern: string, node: string): string {
  return pattern.split('{node}').join(node);
}

export function mdDevice(options: Pick<VolumeOptions, 'mdName'>): string {
  return `/dev/md/${options.mdName}`;
}
