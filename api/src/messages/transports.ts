// Sending one message through a tenant's transport: SMTP (nodemailer) for email, a generic HTTP
// gateway for WhatsApp and SMS. No database here; the dispatcher and the test-send call these.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import type * as Nodemailer from 'nodemailer';
import { encoderFor, fillPlaceholders } from './template.ts';
import { checkedAddresses, guardedLookup } from './targets.ts';
import { loadOnUse } from '../shared/load-on-use.ts';

const nodemailer = loadOnUse<typeof Nodemailer>('nodemailer');

export type Channel = 'sms' | 'whatsapp' | 'email';
export type SmtpSecurity = 'tls' | 'starttls' | 'none';
export type HttpMethod = 'POST' | 'PUT' | 'GET';

export interface SmtpSettings {
  host: string;
  port: number;
  /** tls: TLS from the start (usually 465); starttls: upgrade required (587); none: plain (local relays). */
  security: SmtpSecurity;
  user: string | null;
  from: string;
}
export interface SmtpSecret { password: string | null }

export interface HttpSettings {
  url: string;
  method: HttpMethod;
  /** The names of the headers sent; their values are secret. */
  headerNames: string[];
  bodyTemplate: string;
  contentType: string;
}
export interface HttpSecret { headers: Record<string, string> }

export type TransportConfig =
  | { kind: 'smtp'; settings: SmtpSettings; secret: SmtpSecret }
  | { kind: 'http'; settings: HttpSettings; secret: HttpSecret };

export interface Outgoing {
  id: string;
  channel: Channel;
  to: string;
  subject: string | null;
  text: string;
}

const TIMEOUT_MS = 15_000;

export async function send(transport: TransportConfig, message: Outgoing, allowPrivate: boolean): Promise<void> {
  if (transport.kind === 'smtp') return sendSmtp(transport.settings, transport.secret, message, allowPrivate);
  return sendHttp(transport.settings, transport.secret, message, allowPrivate);
}

async function sendSmtp(settings: SmtpSettings, secret: SmtpSecret, message: Outgoing, allowPrivate: boolean) {
  const [target] = await checkedAddresses(settings.host, allowPrivate);
  const transporter = nodemailer().createTransport({
    host: target!.address,
    port: settings.port,
    secure: settings.security === 'tls',
    requireTLS: settings.security === 'starttls',
    ignoreTLS: settings.security === 'none',
    auth: settings.user ? { user: settings.user, pass: secret.password ?? '' } : undefined,
    // Connect to the address checked above; certificates are checked against the configured name.
    tls: isIP(settings.host) ? {} : { servername: settings.host },
    connectionTimeout: TIMEOUT_MS,
    greetingTimeout: TIMEOUT_MS,
    socketTimeout: TIMEOUT_MS,
  });
  try {
    await transporter.sendMail({ from: settings.from, to: message.to, subject: message.subject ?? '', text: message.text });
  } finally {
    transporter.close();
  }
}

export function gatewayValues(message: Outgoing): Record<string, string> {
  return { to: message.to, text: message.text, channel: message.channel, subject: message.subject ?? '', id: message.id };
}

/** The request an HTTP gateway gets for a message (also what a saved template is checked with). */
export function gatewayRequest(settings: HttpSettings, message: Outgoing) {
  const values = gatewayValues(message);
  const url = fillPlaceholders(settings.url, values, encodeURIComponent);
  const body = settings.method === 'GET' ? '' : fillPlaceholders(settings.bodyTemplate, values, encoderFor(settings.contentType));
  return { url, body };
}

async function sendHttp(settings: HttpSettings, secret: HttpSecret, message: Outgoing, allowPrivate: boolean) {
  const { url, body } = gatewayRequest(settings, message);
  const target = new URL(url);
  if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new Error(`Not an http(s) URL: ${target.protocol}`);
  await checkedAddresses(target.hostname, allowPrivate);
  const headers: Record<string, string | number> = { ...secret.headers };
  if (settings.method !== 'GET') {
    headers['Content-Type'] = settings.contentType;
    headers['Content-Length'] = Buffer.byteLength(body);
  }
  const requestFn = target.protocol === 'https:' ? httpsRequest : httpRequest;
  await new Promise<void>((done, fail) => {
    // `timeout` is per idle spell: a gateway that trickles its answer would hold the send (and the
    // dispatcher, and the message's lease) for ever. The whole request has a deadline too.
    let response: import('node:http').IncomingMessage | undefined;
    let req: import('node:http').ClientRequest | undefined;
    const deadline = setTimeout(() => {
      const error = new Error(`The gateway did not finish answering within ${TIMEOUT_MS / 1000} s`);
      fail(error);
      response?.destroy(error);
      req?.destroy(error);
    }, TIMEOUT_MS);
    const resolve = () => { clearTimeout(deadline); done(); };
    const reject = (error: unknown) => { clearTimeout(deadline); fail(error); };
    try {
      req = requestFn(target, { method: settings.method, headers, lookup: guardedLookup(allowPrivate) as never, timeout: TIMEOUT_MS }, (res) => {
      response = res;
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size < 2000) chunks.push(chunk);
        size += chunk.length;
      });
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) return resolve();
        const snippet = Buffer.concat(chunks).toString('utf8').slice(0, 300).trim();
        reject(new Error(`The gateway answered HTTP ${status}${snippet ? `: ${snippet}` : ''}`));
      });
      res.on('error', reject);
      });
    } catch (error) {
      reject(error);
      return;
    }
    const sent = req;
    sent.on('timeout', () => sent.destroy(new Error(`No answer from the gateway within ${TIMEOUT_MS / 1000} s`)));
    sent.on('error', reject);
    sent.end(body || undefined);
  });
}
