/**
 * Requests in progress on each connection. While the server drains, an answer closes its
 * connection (Connection: close), so nginx does not put back in its pool a connection the drain
 * then sweeps away under its next request (a 502: nginx never resends a POST). Not while more
 * requests wait behind it on the same connection (a pipelining client): their answers would be
 * lost with the connection, so the last of them closes it instead.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export class QueuedRequests {
  private readonly inProgress = new WeakMap<object, number>();

  /** Counts a request on its connection until its answer is done (or the connection gone). */
  track(req: IncomingMessage, res: ServerResponse): void {
    const connection = req.socket as object | null;
    // fastify's inject has no real connection to close.
    if (!connection) return;
    this.inProgress.set(connection, (this.inProgress.get(connection) ?? 0) + 1);
    res.once('close', () => this.inProgress.set(connection, (this.inProgress.get(connection) ?? 1) - 1));
  }

  /** Nothing else is in progress on this request's connection. */
  isLastOnConnection(req: IncomingMessage): boolean {
    const connection = req.socket as object | null;
    return !connection || (this.inProgress.get(connection) ?? 0) <= 1;
  }
}
