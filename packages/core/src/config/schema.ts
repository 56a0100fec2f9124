import { z } from 'zod';
import { cidr, ipv4 } from './addresses.js';
import { secret } from './secret.js';

/** Names of nodes and plugin instances: they appear in events, keys and file names. */
export const name = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'must be lower-case letters, digits and dashes (like db1 or gw-probe)');

const nicObject = z.strictObject({
  /** Interface name on this host; when absent, the interface holding `address` is used. */
  name: z.string().regex(/^[\w.@-]{1,15}$/, 'is not a network interface name').optional(),
  address: cidr,
});

/** `public: 192.0.2.11/24` or `public: { name: eth0, address: 192.0.2.11/24 }`. */
const nic = z.union([cidr, nicObject]).transform((v) =>
  'prefixLength' in v
    ? { name: undefined, address: v.address, prefixLength: v.prefixLength }
    : { name: v.name, address: v.address.address, prefixLength: v.address.prefixLength },
);

export const nics = z.strictObject({
  public: nic,
  storage: nic.optional(),
  privateA: nic.optional(),
  privateB: nic.optional(),
});

/** A plugin instance: which plugin, under what id, with which options. */
export const instance = z.strictObject({
  id: name,
  /** A built-in plugin id (`probe-tcp`) or an npm package name (`@acme/tandem-fence-redfish`). */
  plugin: z.string().min(1),
  timeoutMs: z.number().int().positive().optional(),
  options: z.record(z.string(), z.unknown()).default({}),
});

const override = z.strictObject({
  plugin: z.string().min(1).optional(),
  timeoutMs: z.number().int().positive().optional(),
  /** Merged over the instance's options for this node (objects deeply, everything else replaced). */
  options: z.record(z.string(), z.unknown()).optional(),
});

export const node = z.strictObject({
  /** BMC / management controller address. */
  management: ipv4.optional(),
  nics,
  /** Where this node's status endpoint listens (`127.0.0.1:8008`). */
  statusListen: z.string().regex(/^[\d.]+:\d{1,5}$/, 'must be address:port, like 127.0.0.1:8008').optional(),
  /** Per-node changes to plugin instances, keyed by instance id. */
  overrides: z.record(z.string(), override).default({}),
});

export const timing = z
  .strictObject({
    probeIntervalMs: z.number().int().min(50).default(1000),
    gatewayTimeoutMs: z.number().int().positive().default(4000),
    leaseTtlMs: z.number().int().positive().default(10_000),
    leaseRenewIntervalMs: z.number().int().positive().default(2000),
    fenceTimeoutMs: z.number().int().positive().default(5000),
    storeTimeoutMs: z.number().int().positive().default(1000),
    actionTimeoutMs: z.number().int().positive().default(30_000),
  })
  .default({
    probeIntervalMs: 1000,
    gatewayTimeoutMs: 4000,
    leaseTtlMs: 10_000,
    leaseRenewIntervalMs: 2000,
    fenceTimeoutMs: 5000,
    storeTimeoutMs: 1000,
    actionTimeoutMs: 30_000,
  });

const hostPort = z.strictObject({ host: z.string().min(1), port: z.number().int().min(1).max(65535) });

export const store = z
  .discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('embedded'),
      /** SQLite file shared by the agents of one machine; defaults to the state directory. */
      path: z.string().min(1).optional(),
    }),
    z.strictObject({
      type: z.literal('redis'),
      /** One server, or masters found through Sentinel. */
      mode: z.enum(['standalone', 'sentinel']).default('standalone'),
      host: z.string().min(1).default('127.0.0.1'),
      port: z.number().int().min(1).max(65535).default(6379),
      sentinels: z.array(hostPort).default([]),
      masterName: z.string().min(1).optional(),
      username: z.string().min(1).optional(),
      password: secret().optional(),
      tls: z
        .strictObject({
          ca: z.string().min(1).optional(),
          cert: z.string().min(1).optional(),
          key: z.string().min(1).optional(),
          servername: z.string().min(1).optional(),
        })
        .optional(),
      /** Default `tandem:<cluster>:`, so two clusters on one Redis never share keys. */
      keyPrefix: z.string().min(1).optional(),
      /** Replicas that must acknowledge each lease write (Redis WAIT) under Sentinel. */
      minReplicaAcks: z.number().int().min(0).default(0),
      eventsMax: z.number().int().min(100).max(1_000_000).default(10_000),
    }),
  ])
  .default({ type: 'embedded' });

export const gateway = z.strictObject({
  address: ipv4,
  /** Overrides timing.gatewayTimeoutMs for the self-check ping. */
  timeoutMs: z.number().int().positive().optional(),
});

export const probes = z
  .strictObject({
    /** Consecutive failed checks that confirm a failure. */
    confirmFailures: z.number().int().min(1).max(100).default(3),
    checks: z.array(instance).default([]),
  })
  .default({ confirmFailures: 3, checks: [] });

export const fencing = z
  .strictObject({
    /** Tried in order; each level is a set of fencers that must all succeed. */
    levels: z.array(z.array(instance).min(1, 'a fencing level needs at least one fencer')).default([]),
  })
  .default({ levels: [] });

export const status = z
  .strictObject({
    /** A bearer token the status endpoint requires, if set. */
    token: secret().optional(),
  })
  .default({});

export const clusterConfig = z.strictObject({
  cluster: name,
  timing,
  store,
  gateway: gateway.optional(),
  nodes: z.record(name, node).refine((n) => Object.keys(n).length > 0, 'at least one node is required'),
  probes,
  fencing,
  transports: z.array(instance).default([]),
  recovery: z.array(instance).default([]),
  /** The resource group, in start order; it stops in reverse. */
  resources: z.array(instance).default([]),
  /**
   * What a former primary does after another node was promoted past it:
   * `manual` (default) waits for `tandem rejoin <node> --data`; `auto` has its
   * own agent rewind (or re-copy) it and follow the new primary, as Patroni does.
   */
  rejoin: z.enum(['manual', 'auto']).default('manual'),
  /**
   * A brand-new node (one that never joined a store) may write the cluster's
   * identity into an empty store at start, as `tandem init` does. A node that
   * has joined never does: an empty store is then one that lost its data.
   */
  bootstrap: z.boolean().default(false),
  /**
   * A secret file readable by group or others is refused (the agent does not start) instead of
   * resolved with a warning.
   */
  strictSecrets: z.boolean().default(false),
  status,
});

export type ClusterConfigInput = z.input<typeof clusterConfig>;
export type ClusterConfig = z.output<typeof clusterConfig>;
export type PluginInstanceConfig = z.output<typeof instance>;
export type NodeConfig = z.output<typeof node>;
export type Timing = z.output<typeof timing>;
export type StoreConfig = z.output<typeof store>;

/** The config sections that hold plugin instances, and the contract each needs. */
export const INSTANCE_SECTIONS = {
  probes: 'HealthProbe',
  fencing: 'Fencer',
  transports: 'ReplicationTransport',
  recovery: 'RecoveryStrategy',
  resources: 'ResourceAgent',
} as const;
