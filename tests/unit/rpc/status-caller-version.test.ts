/**
 * GetStatus reports the version of the bridge that calls it, even when another bridge calls
 * while it waits for the database (the last version recorded is then the other one's).
 */
import { Metadata, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import type { GetStatusRequest, GetStatusResponse } from '../../../server/src/gen/mailcow/scim/v1/status.js';
import { createLogger } from '../../../server/src/logging.js';
import type { DatabaseState } from '../../../server/src/mailcow/database-state.js';
import { BridgeVersions } from '../../../server/src/rpc/bridge-versions.js';
import { statusHandlers } from '../../../server/src/rpc/status-handlers.js';
import { describeVersionSkew } from '../../../server/src/version-skew.js';

const SIDECAR = '1.2.0';

function bridgeMetadata(version?: string): Metadata {
  const md = new Metadata();
  md.set('user-agent', 'mailcow-scim-php-bridge/1 grpc-node-js/1.14.7');
  if (version !== undefined) md.set('mailcow-scim-bridge-version', version);
  return md;
}

/** GetStatus through the real handler, with `during` run while it waits for the database. */
function getStatus(bridges: BridgeVersions, metadata: Metadata, during: () => void): Promise<GetStatusResponse> {
  const handlers = statusHandlers(
    {
      version: SIDECAR,
      startedAt: Date.now(),
      state: async () => {
        await new Promise((r) => setTimeout(r, 5));
        during();
        return { reachable: true } as DatabaseState;
      },
      versions: (caller) => describeVersionSkew(SIDECAR, caller ?? bridges.last()),
    },
    createLogger({ level: 'silent' }),
  );
  bridges.observe(metadata); // as the server's interceptor does before the handler runs
  return new Promise((resolve, reject) => {
    const callback: sendUnaryData<GetStatusResponse> = (err, res) => (err ? reject(err) : resolve(res!));
    handlers.getStatus({ request: {}, metadata } as ServerUnaryCall<GetStatusRequest, GetStatusResponse>, callback);
  });
}

describe('GetStatus and the calling bridge', () => {
  it('reports its own caller when another bridge calls at the same moment', async () => {
    const bridges = new BridgeVersions();
    const r = await getStatus(bridges, bridgeMetadata('1.1.0'), () => bridges.observe(bridgeMetadata('1.2.0')));
    expect(bridges.last()).toBe('1.2.0');
    expect(r.versions).toMatchObject({ bridgeVersion: '1.1.0', skew: true });
  });

  it('an unversioned bridge is itself, not the last versioned one', async () => {
    const bridges = new BridgeVersions();
    bridges.observe(bridgeMetadata(SIDECAR));
    const r = await getStatus(bridges, bridgeMetadata(), () => bridges.observe(bridgeMetadata(SIDECAR)));
    expect(r.versions).toMatchObject({ bridgeVersion: '', skew: true });
  });

  it('a caller that is not the bridge gets the last bridge seen', async () => {
    const bridges = new BridgeVersions();
    bridges.observe(bridgeMetadata('1.1.0'));
    const r = await getStatus(bridges, new Metadata(), () => bridges.observe(bridgeMetadata('1.0.0')));
    expect(r.versions).toMatchObject({ bridgeVersion: '1.0.0', skew: true });
  });
});
