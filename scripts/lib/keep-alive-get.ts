import http from 'node:http';

/**
 * A GET over one kept-alive connection, timed from the request to the last byte of the body. The
 * latency benchmarks use it rather than fetch: on the bench machine Node's fetch (undici) added
 * about 2 ms of its own per request at p50, and more at p99, which is the client, not the server.
 */
export function keepAliveGet(base: string, headers: Record<string, string>) {
  const { hostname, port } = new URL(base);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const get = (path: string) =>
    new Promise<{ status: number; body: string; ms: number }>((resolve, reject) => {
      const started = performance.now();
      const req = http.request({ host: hostname, port, path, method: 'GET', headers, agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, ms: performance.now() - started }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  return { get, close: () => agent.destroy() };
}
