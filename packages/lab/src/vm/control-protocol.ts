/**
 * The VM lab's control channel: JSON lines over a virtio-serial port, one
 * request per command run in the guest. Shared by the host's client and the
 * guest's server, so both ends agree on every field.
 */
export interface ControlRequest {
  readonly id: number;
  /** argv[0] is looked up on the guest's PATH; no shell unless argv asks for one. */
  readonly argv: readonly string[];
  readonly input?: string;
  /** The guest kills the command (SIGKILL to its process group) after this. */
  readonly timeoutMs: number;
  readonly env?: Readonly<Record<string, string>>;
}

export interface ControlReply {
  readonly id: number;
  /** null when the command was killed by a signal or could not start. */
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
  readonly timedOut: boolean;
  /** Set when the command could not be started at all (ENOENT ...). */
  readonly error?: string;
}

/** Each stream keeps at most this much; more is cut and marked, so one chatty command cannot exhaust the guest. */
export const OUTPUT_LIMIT_BYTES = 4 * 1024 * 1024;

/** The port's name inside the guest (/sys/class/virtio-ports/<port>/name). */
export const CONTROL_PORT_NAME = 'tandem.control';
