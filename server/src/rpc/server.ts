/**
 * The gRPC surface on a Unix socket (docs/architecture.md §2). grpc-js creates the socket 0755, so
 * the mode is set after bind; the socket's group is shared with php-fpm by the deployment.
 */
import { Server, ServerCredentials, type ServerInterceptor, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { prepareSocketPath, removeSocketFile, setSocketMode } from '../socket-file.js';

export interface RpcService {
  definition: ServiceDefinition;
  implementation: UntypedServiceImplementation;
}

export interface RpcServer {
  close(graceMs: number): Promise<void>;
}

export async function startRpcServer(socket: string, socketMode: number, services: RpcService[], interceptors: ServerInterceptor[] = []): Promise<RpcServer> {
  const server = new Server({
    'grpc.max_receive_message_length': 4 * 1024 * 1024,
    // channelz (grpc-js's introspection registry, on by default) registers every connection and
    // keeps per-call counters and trace strings; nothing here reads it, and a bridge on libcurl
    // before 8.0 opens a connection per call, so the registry costs every login.
    'grpc.enable_channelz': 0,
    interceptors,
  });
  for (const s of services) server.addService(s.definition, s.implementation);
  await prepareSocketPath(socket);
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`unix://${socket}`, ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())),
  );
  await setSocketMode(socket, socketMode);
  return {
    async close(graceMs) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      await removeSocketFile(socket);
    },
  };
}
