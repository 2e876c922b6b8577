import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedRequest { method: string; url: string; headers: IncomingHttpHeaders; body: string }

/** A local HTTP gateway: answers each request with the next status given (then 200), recording what it got. */
export async function startHttpReceiver(statuses: number[] = []) {
  const requests: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const status = statuses.length ? statuses.shift()! : 200;
      res.writeHead(status, { 'Content-Type': 'application/json' });
      // A refusal echoes what it got, as some gateways do.
      res.end(status < 300 ? '{"ok":true}' : JSON.stringify({ error: 'gateway down', got: Buffer.concat(chunks).toString('utf8').slice(0, 200) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    requests,
    statuses,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface ReceivedMail { from: string; to: string[]; user: string | undefined; raw: string; subject: string; body: string; headerFrom: string; headerTo: string }

/** A local SMTP server (plain, AUTH required) recording every message it accepts. */
export async function startSmtpServer(user = 'kartu', password = 'rahasia-smtp') {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === user && auth.password === password) return callback(null, { user: auth.username });
      callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const [head = '', ...rest] = raw.split('\r\n\r\n');
        const header = (name: string) => new RegExp(`^${name}: (.*)$`, 'mi').exec(head)?.[1]?.trim() ?? '';
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          user: session.user as string | undefined,
          raw,
          subject: header('Subject'),
          headerFrom: header('From'),
          headerTo: header('To'),
          body: rest.join('\r\n\r\n').trim(),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    mails,
    port: (server.server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
