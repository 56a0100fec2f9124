import { isAbsolute } from 'node:path';
import { secret } from '@tandem/core';
import { z } from 'zod';

/** Paths that end up in restore_command (a shell runs it) or in mount/mdadm argv: plain characters only. */
const PLAIN_PATH = /^\/[A-Za-z0-9_./-]*$/;
const MD_UUID = /^[0-9a-f]{8}(:[0-9a-f]{8}){3}$/;
/** Lower case: LIO and open-iscsi compare IQNs as given, so an ACL written in another case never matches. */
const IQN_PATTERN = /^iqn\.\d{4}-\d{2}\.[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[a-z0-9.:{}-]+)?$/;

const plainAbsolute = (option: string, example: string) =>
  z.string().regex(PLAIN_PATH, `${option} must be an absolute path of letters, digits, "_", "-", "." and "/" only, such as ${example}`);
const iqnPattern = (option: string, example: string) =>
  z.string().regex(IQN_PATTERN, `${option} must be a lower-case iSCSI name, with {node} where the node's name goes, such as ${example}`);

const standbyConnection = z.strictObject({
  socketDir: plainAbsolute('standby.socketDir', '/var/run/postgresql').default('/var/run/postgresql'),
  port: z.number().int().min(1).max(65535).default(5432),
  user: z.string().min(1).default('postgres'),
});

/**
 * Options of one `transport-block-mirror` instance: the same on the primary
 * and the standby (each plays its side). The standby exports `localDevice`
 * as a LUN; the primary mirrors its own `localDevice` onto it with md.
 */
export const blockMirrorOptions = z.strictObject({
  /** The RAID-1's identity (mdadm's form). Every assemble names it; a member with another UUID is never used. */
  arrayUuid: z
    .string()
    .transform((s) => s.toLowerCase())
    .refine((s) => MD_UUID.test(s), { message: 'arrayUuid must be an mdadm UUID, four groups of 8 hex digits joined by ":" (make one with `uuidgen | tr -d - | sed "s/.\\{8\\}/&:/g;s/:$//"`)' }),
  /** The array appears as /dev/md/<mdName>. */
  mdName: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,23}$/, 'mdName must be 1-24 lower-case letters, digits, _ or - (it becomes /dev/md/<mdName>)').default('tandem-wal'),
  /** The disk (or partition) on every node reserved for the WAL mirror: the primary's own member, the standby's exported one. */
  localDevice: z.string().regex(/^\/dev\/[A-Za-z0-9/_.:-]+$/, 'localDevice must be a block device under /dev, such as /dev/vdb or /dev/disk/by-id/...'),
  /** The standby's target name; `{node}` becomes the standby's node name. */
  targetIqn: iqnPattern('targetIqn', 'iqn.2026-12.org.tandem:wal-{node}').default('iqn.2026-12.org.tandem:wal-{node}'),
  /** Each node's initiator name; `{node}` becomes the node's name. Must match /etc/iscsi/initiatorname.iscsi or the iface's. */
  initiatorIqn: iqnPattern('initiatorIqn', 'iqn.2026-12.org.tandem:{node}'),
  /** The iSCSI port on the standby's storage address (the portal listens there only). */
  port: z.number().int().min(1).max(65535).default(3260),
  /** Where the array's filesystem is mounted: read-write on the primary, read-only on a standby taking over. */
  mountPath: plainAbsolute('mountPath', '/var/lib/postgresql/wal-mirror'),
  /** The filesystem on the array. ext4 without a journal is what lets a standby mount it read-only after a crash (see the README). */
  fsType: z.enum(['ext4', 'xfs']).default('ext4'),
  /** pg_wal relative to mountPath (the primary's data directory links its pg_wal there). */
  walSubdir: z.string().regex(/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/, 'walSubdir must be a relative path such as pg_wal').default('pg_wal'),
  /** Where inFlight copies the WAL range the standby lacks (recovery-compensate's mirrorDir). On the standby's own disk, not the array. */
  stagingDir: plainAbsolute('stagingDir', '/var/lib/postgresql/wal-inflight'),
  binDir: z.string().refine((p) => isAbsolute(p), { message: 'binDir must be an absolute path such as /usr/lib/postgresql/15/bin' }).optional(),
  /** Owns the staging copy (the server's restore_command reads it) and runs psql. */
  osUser: z.string().regex(/^[a-z_][a-z0-9_-]*$/, 'osUser must be a Unix user name such as postgres').default('postgres'),
  /** The local server: the standby's replay position on a standby, the flush position on the primary. */
  standby: standbyConnection.default({ socketDir: '/var/run/postgresql', port: 5432, user: 'postgres' }),
  standbyPassword: secret().optional(),
  /**
   * open-iscsi replacement_timeout on the primary's session to the standby. Negative (the default) holds I/O,
   * and so commits, while the standby is unreachable: the mirror never drops the standby's member on its own,
   * which is what zero loss needs. A positive value lets md carry on without the standby after that many
   * seconds (commits then are on the primary only: the README says what that costs).
   */
  replacementTimeoutS: z
    .number()
    .int()
    .min(-1)
    .max(600)
    .refine((n) => n !== 0, { message: 'replacementTimeoutS 0 fails I/O at the first network blip; use -1 (hold I/O, zero loss) or 1-600 seconds' })
    .default(-1),
  /**
   * The local PostgreSQL data directory. When set, `startSource` mirrors only a node whose `<dataDir>/pg_wal`
   * links into mountPath: a node that became primary by a takeover writes its WAL to its own pg_wal, and its
   * promotion must not wait for a peer it just fenced (see the README, "After a failover").
   */
  dataDir: plainAbsolute('dataDir', '/var/lib/postgresql/15/main').optional(),
  /** Bound on each targetcli/iscsiadm/mdadm/mount/pg_waldump call. */
  commandTimeoutMs: z.number().int().min(1000).max(600_000).default(60_000),
});

export type BlockMirrorOptions = z.output<typeof blockMirrorOptions>;
export type BlockMirrorOptionsInput = z.input<typeof blockMirrorOptions>;

export const fillNode = (pattern: string, node: string): string => pattern.split('{node}').join(node);
export const mdDeviceOf = (o: Pick<BlockMirrorOptions, 'mdName'>): string => `/dev/md/${o.mdName}`;
export const walDirOf = (o: Pick<BlockMirrorOptions, 'mountPath' | 'walSubdir'>): string => `${o.mountPath.replace(/\/+$/, '')}/${o.walSubdir}`;
/** The LIO backstore that exports localDevice: the name volume-iscsi-mirror's storageHostScript gives an array called mdName. */
export const backstoreOf = (o: Pick<BlockMirrorOptions, 'mdName'>): string => `tandem-${o.mdName}`;
