import type { MessageTransportTable } from '@kartu/db';
import type { Selectable } from 'kysely';
import type { Channel, HttpSettings, SmtpSettings } from './transports.ts';

type TransportRow = Selectable<MessageTransportTable>;

/** A transport as the API shows it: never a password or a header's value. */
export function toTransportView(row: TransportRow) {
  const s = row.settings as Record<string, unknown>;
  const smtp = row.kind === 'smtp' ? (s as unknown as SmtpSettings) : null;
  const http = row.kind === 'http' ? (s as unknown as HttpSettings) : null;
  return {
    channel: row.channel,
    kind: row.kind,
    smtp: smtp ? { host: smtp.host, port: smtp.port, security: smtp.security, user: smtp.user, from: smtp.from, passwordSet: Boolean(smtp.user) } : null,
    http: http
      ? { url: http.url, method: http.method, headers: http.headerNames.map((name) => ({ name })), bodyTemplate: http.bodyTemplate, contentType: http.contentType }
      : null,
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

export function toMessageSettings(channels: Channel[], rows: TransportRow[]) {
  const of = (channel: Channel) => {
    const row = rows.find((r) => r.channel === channel);
    return row ? toTransportView(row) : null;
  };
  return { channels, transports: { whatsapp: of('whatsapp'), sms: of('sms'), email: of('email') } };
}
