/**
 * A deliberately broken gRPC server on a Unix socket, for the PHP client's malformed-answer
 * tests: each method under /bad.Service/ answers in one wrong way (or one right way, to see
 * what the client sent); the sidecar's real methods (/mailcow.scim.v1.*) never answer, like a
 * hung sidecar. Plus a socket that answers HTTP/1.1, which a gRPC client must refuse.
 */
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import { constants, createServer, type Http2Server, type ServerHttp2Stream, type IncomingHttpHeaders } from 'node:http2';

const { HTTP2_HEADER_STATUS: STATUS, HTTP2_HEADER_CONTENT_TYPE: CONTENT_TYPE } = constants;

export interface BadServers {
  /** HTTP/2 (prior knowledge) gRPC-ish server. */
  grpcSocket: string;
  /** Answers every connection with an HTTP/1.1 error. */
  http1Socket: string;
  close(): Promise<void>;
}

function frame(payload: Buffer, compressed = 0, declared = payload.length): Buffer {
  const head = Buffer.alloc(5);
  head[0] = compressed;
  head.writeUInt32BE(declared, 1);
  return Buffer.concat([head, payload]);
}

/** A length-delimited field 1 holding `bytes` (a string field 1 when valid UTF-8). */
function field1(bytes: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0x0a, bytes.length]), bytes]);
}

type Handler = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, request: Buffer, sessions: number) => void;

const grpcHeaders = { [STATUS]: 200, [CONTENT_TYPE]: 'application/grpc+proto' };

function okWith(stream: ServerHttp2Stream, body: Buffer, trailers: Record<string, string> = {}): void {
  stream.respond(grpcHeaders, { waitForTrailers: true });
  stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0', ...trailers }));
  stream.end(body);
}

const HANDLERS: Record<string, Handler> = {
  // What a correct server would answer: the request message echoed, plus what the client sent.
  Echo: (stream, headers, request, sessions) =>
    okWith(stream, request, {
      'x-seen-content-type': String(headers['content-type']),
      'x-seen-te': String(headers.te),
      'x-seen-grpc-timeout': String(headers['grpc-timeout']),
      'x-seen-user-agent': String(headers['user-agent']),
      'x-seen-bridge-version': String(headers['mailcow-scim-bridge-version']),
      'x-sessions': String(sessions),
    }),
  NotGrpc: (stream) => {
    stream.respond({ [STATUS]: 200, [CONTENT_TYPE]: 'text/html' });
    stream.end('<html>not grpc</html>');
  },
  Http503: (stream) => {
    stream.respond({ [STATUS]: 503, [CONTENT_TYPE]: 'text/plain' });
    stream.end('busy');
  },
  NoStatus: (stream) => {
    stream.respond(grpcHeaders);
    stream.end(frame(field1(Buffer.from('x'))));
  },
  Truncated: (stream) => okWith(stream, frame(field1(Buffer.from('abc')), 0, 100)),
  ShortHeader: (stream) => okWith(stream, Buffer.from([0, 0, 0])),
  Compressed: (stream) => okWith(stream, frame(field1(Buffer.from('abc')), 1)),
  TwoMessages: (stream) => okWith(stream, Buffer.concat([frame(field1(Buffer.from('a'))), frame(field1(Buffer.from('b')))])),
  // A tag with wire type 7 (invalid) followed by junk.
  Garbage: (stream) => okWith(stream, frame(Buffer.from([0x0f, 0xff, 0xff, 0xff]))),
  BadUtf8: (stream) => okWith(stream, frame(field1(Buffer.from([0xc3, 0x28])))),
  Empty: (stream) => okWith(stream, Buffer.alloc(0)),
  Huge: (stream) => okWith(stream, frame(Buffer.alloc(0), 0, 200 * 1024 * 1024)),
  TrailersOnlyError: (stream) => {
    stream.respond({ ...grpcHeaders, 'grpc-status': '7', 'grpc-message': 'nope%20%C3%BC', 'scim-type': 'sensitive', 'scim-status': '403' }, { endStream: true });
  },
  ErrorInTrailers: (stream) => {
    stream.respond(grpcHeaders, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '5', 'grpc-message': 'no such token', 'scim-status': '404' }));
    stream.end();
  },
  Reset: (stream) => stream.close(constants.NGHTTP2_INTERNAL_ERROR),
  Slow: () => {
    /* never answers; the client's deadline must end the call */
  },
};

export async function startBadServers(dir: string): Promise<BadServers> {
  const grpcSocket = `${dir}/bad-grpc.sock`;
  const http1Socket = `${dir}/http1.sock`;
  let sessions = 0;
  const open = new Set<{ destroy(): void }>();
  const h2: Http2Server = createServer();
  h2.on('session', (session) => {
    sessions++;
    open.add(session);
    session.on('close', () => open.delete(session));
  });
  h2.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('error', () => undefined);
    stream.on('end', () => {
      const path = String(headers[':path']);
      // The sidecar's own services hang here: a stuck sidecar, for deadline tests of the bridge.
      const method = path.startsWith('/mailcow.scim.v1.') ? 'Slow' : path.replace(/^\/bad\.Service\//, '');
      const handler = HANDLERS[method];
      if (!handler) {
        stream.respond({ ...grpcHeaders, 'grpc-status': '12', 'grpc-message': 'unknown method' }, { endStream: true });
        return;
      }
      const body = Buffer.concat(chunks);
      handler(stream, headers, body, sessions);
    });
  });
  const h1: NetServer = createNetServer((socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => undefined);
    socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  });
  await new Promise<void>((resolve) => h2.listen(grpcSocket, resolve));
  await new Promise<void>((resolve) => h1.listen(http1Socket, resolve));
  return {
    grpcSocket,
    http1Socket,
    async close() {
      const closed = Promise.all([new Promise<void>((resolve) => h2.close(() => resolve())), new Promise<void>((resolve) => h1.close(() => resolve()))]);
      // Sessions left open (the Slow method never answers) must not hold the servers.
      for (const s of open) s.destroy();
      await closed;
    },
  };
}
