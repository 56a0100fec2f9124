import { randomBytes } from 'node:crypto';

/** Every namespace of a lab starts with this, so a sweep can find leftovers. */
export const NAMESPACE_PREFIX = 'tandem-';

/** A short random id: two labs side by side never share a namespace name. */
export function newLabId(): string {
  return `l${randomBytes(3).toString('hex')}`;
}

export function namespaceName(labId: string, host: string): string {
  return `${NAMESPACE_PREFIX}${labId}-${host}`;
}

/** The switch namespace holds the bridges; the machine's own namespace gets nothing. */
export function switchNamespace(labId: string): string {
  return namespaceName(labId, 'switch');
}

/** The switch-side end of a host's veth: at most 15 characters (IFNAMSIZ). */
export function switchPortName(hostIndex: number, nicIndex: number): string {
  return `p${hostIndex}n${nicIndex}`;
}
