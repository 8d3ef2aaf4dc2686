// Docker HEALTHCHECK of the mailcow-scim image: healthy when /healthz on the loopback metrics
// port answers 200 (database reachable, writes allowed), else when the SCIM socket answers
// discovery. Exits 0 (healthy) or 1 (unhealthy), printing why.
import { request } from 'node:http';

const port = process.env.SCIM_METRICS_PORT;
const socket = process.env.SCIM_HTTP_SOCKET;
const target = port
  ? { host: '127.0.0.1', port: Number(port), path: '/healthz' }
  : socket
    ? { socketPath: socket, path: '/scim/v2/ServiceProviderConfig' }
    : undefined;

if (!target) {
  console.log('neither SCIM_METRICS_PORT nor SCIM_HTTP_SOCKET is set');
  process.exit(1);
}

const req = request({ ...target, method: 'GET', timeout: 4000 }, (res) => {
  let body = '';
  res.setEncoding('utf8');
  res.on('data', (c) => (body += c));
  res.on('end', () => {
    console.log(`${res.statusCode} ${body.slice(0, 300)}`);
    process.exit(res.statusCode === 200 ? 0 : 1);
  });
});
req.on('timeout', () => req.destroy(new Error('timed out')));
req.on('error', (e) => {
  console.log(`unhealthy: ${e.message}`);
  process.exit(1);
});
req.end();
