import { stat } from 'node:fs/promises';
import { credentials, Metadata } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HealthClient, HealthCheckResponse_ServingStatus } from '../../../server/src/gen/grpc/health/v1/health.js';
import { StatusServiceClient, type GetStatusResponse } from '../../../server/src/gen/mailcow/scim/v1/status.js';
import { scimRequest } from '../../helpers/http.js';
import { startTestSidecar, type TestSidecar } from '../../helpers/sidecar.js';

let t: TestSidecar;

beforeAll(async () => {
  t = await startTestSidecar();
});
afterAll(async () => {
  await t?.stop();
});

function unaryCall<Res>(fn: (cb: (e: Error | null, r: Res) => void) => void): Promise<Res> {
  return new Promise((resolve, reject) => fn((e, r) => (e ? reject(e) : resolve(r))));
}

describe('the sidecar answers on both surfaces', () => {
  it('serves ServiceProviderConfig over TCP as application/scim+json', async () => {
    const r = await scimRequest(t.baseUrl, { path: '/ServiceProviderConfig' });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/scim\+json/);
    expect(r.body.schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig']);
    expect(r.body.authenticationSchemes[0].type).toBe('oauthbearertoken');
  });

  it('serves the same over the Unix socket, which is mode 0660', async () => {
    const r = await scimRequest('http://localhost/scim/v2', { path: '/ServiceProviderConfig', socket: t.httpSocket });
    expect(r.status).toBe(200);
    expect(r.body.meta.resourceType).toBe('ServiceProviderConfig');
    expect((await stat(t.httpSocket)).mode & 0o777).toBe(0o660);
  });

  it('answers grpc.health.v1 Check with SERVING on the RPC socket (0660)', async () => {
    const client = new HealthClient(`unix://${t.rpcSocket}`, credentials.createInsecure());
    try {
      const res = await unaryCall<{ status: HealthCheckResponse_ServingStatus }>((cb) => client.check({ service: '' }, cb));
      expect(res.status).toBe(HealthCheckResponse_ServingStatus.SERVING);
      await expect(unaryCall((cb) => client.check({ service: 'no.such.Service' }, cb))).rejects.toMatchObject({ code: 5 });
    } finally {
      client.close();
    }
    expect((await stat(t.rpcSocket)).mode & 0o777).toBe(0o660);
  });

  it('reports schema state through StatusService', async () => {
    const client = new StatusServiceClient(`unix://${t.rpcSocket}`, credentials.createInsecure());
    try {
      const res = await unaryCall<GetStatusResponse>((cb) => client.getStatus({}, new Metadata(), cb));
      expect(res.databaseReachable).toBe(true);
      expect(res.schema).toMatchObject({ authsourceHasScim: true, writesAllowed: true, mailcowDbSchema: '19022026_1220', problem: '' });
      expect(res.schema!.pluginSchemaVersion).toBe(res.schema!.pluginSchemaTarget);
    } finally {
      client.close();
    }
  });

  it('answers unknown paths and missing tokens with SCIM error bodies', async () => {
    const notFound = await scimRequest(t.baseUrl, { path: '/NoSuchThing' });
    expect(notFound.status).toBe(404);
    expect(notFound.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '404' });
  });
});
