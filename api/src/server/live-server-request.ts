import { request } from 'node:http';
import { connect, type TLSSocket } from 'node:tls';
import type { PidFile } from './pid-file.ts';

/**
 * How command-line tools ask the server that has the embedded database open: on 127.0.0.1 with the
 * token from its pid file, over TLS when it serves HTTPS. Its certificate names the public host, not
 * 127.0.0.1, and may be self-signed, so it is pinned to the fingerprint in the pid file instead; the
 * token goes to no other listener.
 */
export async function askLiveServer(live: PidFile, method: 'GET' | 'POST', path: string): Promise<{ status: number; body: Buffer }> {
  const socket = live.tlsFingerprint ? await pinnedTlsSocket(live.port, live.tlsFingerprint) : undefined;
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1', port: live.port, method, path, headers: { Authorization: `Bearer ${live.adminToken}` },
      ...(socket && { createConnection: () => socket }),
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function pinnedTlsSocket(port: number, fingerprint: string): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }); // checked by fingerprint below
    socket.once('error', reject);
    socket.once('secureConnect', () => {
      if (socket.getPeerCertificate().fingerprint256 === fingerprint) return resolve(socket);
      socket.destroy();
      reject(new Error(`the server on port ${port} shows another certificate than the one in the pid file; nothing was sent`));
    });
  });
}
