import pg from 'pg';

/** A server message that came with the answer: a NOTICE or, what matters, a WARNING. */
export interface ServerNotice {
  readonly severity: string;
  readonly code: string | undefined;
  readonly message: string;
}

export type SessionResult<T> =
  | { readonly kind: 'done'; readonly value: T; readonly notices: readonly ServerNotice[] }
  | { readonly kind: 'error'; readonly error: Error & { code?: string }; readonly notices: readonly ServerNotice[] }
  | { readonly kind: 'aborted'; readonly notices: readonly ServerNotice[] };

/** Close at once: no Terminate round trip, since the server may be frozen. */
function destroy(client: pg.Client): void {
  client.connection.stream.destroy();
}

/** Resolve when the signal fires; `stop()` detaches the listener. */
function abortWatch(signal: AbortSignal): { fired: Promise<'aborted'>; stop: () => void } {
  let onAbort: () => void = () => undefined;
  const fired = new Promise<'aborted'>((resolve) => {
    onAbort = () => resolve('aborted');
    if (signal.aborted) resolve('aborted');
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  return { fired, stop: () => signal.removeEventListener('abort', onAbort) };
}

/**
 * Open one connection, run `work`, close. The signal is the only deadline:
 * when it fires the socket is destroyed, so the server sees the client go
 * away. Nothing here sets statement_timeout, on purpose: a server-side
 * cancel of a commit that waits for a synchronous standby is reported as
 * success with a WARNING although it was never replicated.
 */
export async function runSession<T>(config: pg.ClientConfig, signal: AbortSignal, work: (client: pg.Client) => Promise<T>): Promise<SessionResult<T>> {
  const client = new pg.Client(config);
  const notices: ServerNotice[] = [];
  client.on('notice', (n) => notices.push({ severity: n.severity ?? 'NOTICE', code: n.code, message: n.message ?? '' }));
  // Errors after we gave up (a destroyed socket) arrive as events; the outcome is already decided.
  client.on('error', () => undefined);
  const watch = abortWatch(signal);
  const attempt = (async (): Promise<SessionResult<T>> => {
    await client.connect();
    const value = await work(client);
    return { kind: 'done', value, notices };
  })().catch((error: unknown): SessionResult<T> => ({ kind: 'error', error: error instanceof Error ? error : new Error(String(error)), notices }));
  const first = await Promise.race([attempt, watch.fired]);
  if (first === 'aborted') {
    watch.stop();
    destroy(client);
    await attempt;
    return { kind: 'aborted', notices };
  }
  if (first.kind === 'done') {
    // A polite close; a server that freezes right now must not hold us past the deadline.
    const ended = await Promise.race([client.end().then(() => 'ended' as const, () => 'ended' as const), watch.fired]);
    if (ended === 'aborted') destroy(client);
  } else {
    destroy(client);
  }
  watch.stop();
  return first;
}
