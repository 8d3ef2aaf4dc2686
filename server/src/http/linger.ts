/**
 * Lingering close (the technique of Apache's lingering_close): an answer given before the
 * request body has fully arrived (413 for a body over the limit, 415, 401) must reach a client
 * that is still sending that body.
 *
 * Node ends such a connection with socket.destroySoon(): a FIN once the answer is flushed, then
 * the socket is destroyed at once. The client's bytes still on the way then reach a closed
 * socket, the kernel answers them with a reset, and a reset makes the client's kernel throw
 * away what it had received but not yet read, the answer included (about 1 upload in 10 over
 * the limit never saw its 413). So the connection is half-closed instead: the FIN tells the
 * client the answer is complete, and what it still sends is read and discarded until it closes
 * its side, or until a bound of bytes or time, so a client that never stops cannot hold the
 * connection. A keep-alive connection that stays open is bounded the same way while Node reads
 * the rest of the body.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

export interface LingerBounds {
  /** Most bytes read and discarded after the answer. */
  maxBytes: number;
  /** Longest the rest of the body may take after the answer, in milliseconds. */
  maxMs: number;
}

const DEFAULT_LINGER: LingerBounds = { maxBytes: 64 * 1024 * 1024, maxMs: 5_000 };

const lingering = new WeakSet<Socket>();

/** Called as the answer goes out: when the request body is not complete, the connection lingers. */
export function lingerOnIncompleteBody(req: IncomingMessage, bounds: LingerBounds = DEFAULT_LINGER): void {
  if (req.complete) return;
  const socket = req.socket as Socket | null;
  // Not a real connection (fastify's inject) or already taken care of.
  if (!socket || typeof socket.destroySoon !== 'function' || lingering.has(socket)) return;
  lingering.add(socket);
  const startBytes = socket.bytesRead;
  const started = Date.now();
  const watch = setInterval(() => {
    if (socket.bytesRead - startBytes > bounds.maxBytes || Date.now() - started > bounds.maxMs) socket.destroy();
  }, 50);
  watch.unref();
  socket.once('close', () => clearInterval(watch));

  const original = socket.destroySoon;
  let halfClosed = false;
  socket.destroySoon = function lingeringClose(this: Socket) {
    halfClosed = true;
    if (this.writable) this.end();
    // The client closing its side ends the linger; so do the bounds (the interval above).
    this.once('end', () => this.destroy());
    this.resume();
  };
  // Keep-alive: Node reads the rest of the body before the next request; once it has, the
  // connection is an ordinary one again.
  req.once('end', () => {
    if (halfClosed) return;
    clearInterval(watch);
    socket.destroySoon = original;
    lingering.delete(socket);
  });
}
