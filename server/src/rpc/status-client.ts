/**
 * StatusService/GetStatus as a client, for doctor: the running sidecar's own version and the
 * PHP bridge version it last saw. Resolves, never throws; the call has a deadline.
 */
import { credentials, Metadata } from '@grpc/grpc-js';
import { StatusServiceClient, VersionMatch } from '../gen/mailcow/scim/v1/status.js';

export interface RunningStatus {
  version: string;
  /** The bridge version of the last bridge call: undefined when none was seen, '' when it had none. */
  bridgeVersion?: string;
}

export function fetchRunningStatus(socketPath: string, timeoutMs = 3000): Promise<{ ok: true; status: RunningStatus } | { ok: false; detail: string }> {
  return new Promise((resolve) => {
    const client = new StatusServiceClient(`unix://${socketPath}`, credentials.createInsecure());
    client.getStatus({}, new Metadata(), { deadline: Date.now() + timeoutMs }, (err, r) => {
      client.close();
      if (err) return resolve({ ok: false, detail: err.details || err.message });
      const seen = r.versions && r.versions.match !== VersionMatch.VERSION_MATCH_NO_BRIDGE_SEEN && r.versions.match !== VersionMatch.VERSION_MATCH_UNSPECIFIED;
      resolve({ ok: true, status: { version: r.version, ...(seen ? { bridgeVersion: r.versions!.bridgeVersion } : {}) } });
    });
  });
}
