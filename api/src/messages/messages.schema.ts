import '../http/zod-openapi.ts';
import { z } from 'zod';
import { GATEWAY_PLACEHOLDERS } from './template.ts';

export const ChannelSchema = z.enum(['whatsapp', 'sms', 'email']);

const Host = z.string().trim().min(1).max(253).regex(/^[A-Za-z0-9.\-:[\]]+$/, 'A host name or IP address');
const HeaderName = z.string().trim().min(1).max(100).regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'A header name (letters, digits and - _ .)');
const NoNewlines = (max: number) => z.string().max(max).regex(/^[^\r\n]*$/, 'Must not contain line breaks');

export const SmtpTransportInput = z.strictObject({
  kind: z.literal('smtp'),
  host: Host,
  port: z.number().int().min(1).max(65535),
  security: z.enum(['tls', 'starttls', 'none']).meta({ description: '`tls`: TLS from the start (port 465); `starttls`: upgrade required (587); `none`: plain (a local relay)' }),
  user: NoNewlines(255).trim().nullish().transform((u) => u || null),
  password: NoNewlines(1000).optional().meta({ description: 'Stored sealed and never shown. Leave out to keep the stored one.' }),
  from: NoNewlines(320).trim().regex(/^(?:[^<>@]*<[^<>@\s]+@[^<>@\s]+>|[^<>@\s]+@[^<>@\s]+)$/, 'An email address, or Name <address>'),
});

const placeholders = GATEWAY_PLACEHOLDERS.map((p) => `{{${p}}}`).join(' ');

export const HttpTransportInput = z.strictObject({
  kind: z.literal('http'),
  url: z.string().trim().min(1).max(2000).meta({ description: `The gateway's URL (http or https); may contain ${placeholders}, URL-encoded` }),
  method: z.enum(['POST', 'PUT', 'GET']).default('POST'),
  headers: z
    .array(z.strictObject({ name: HeaderName, value: NoNewlines(4000).optional().meta({ description: 'Stored sealed and never shown. Leave out to keep the stored value of this header.' }) }))
    .max(20)
    .default([])
    .meta({ description: 'Headers sent with each request, e.g. an Authorization token' }),
  bodyTemplate: z.string().max(10_000).default('').meta({ description: `The request body with ${placeholders}; values are escaped for the content type (JSON string content, form encoding)` }),
  contentType: NoNewlines(200).trim().min(1).default('application/json'),
});

export const TransportInput = z.discriminatedUnion('kind', [SmtpTransportInput, HttpTransportInput]);
export type TransportInput = z.infer<typeof TransportInput>;

export const TransportViewSchema = z
  .object({
    channel: ChannelSchema,
    kind: z.enum(['smtp', 'http']),
    smtp: z
      .object({ host: z.string(), port: z.number().int(), security: z.enum(['tls', 'starttls', 'none']), user: z.string().nullable(), from: z.string(), passwordSet: z.boolean() })
      .nullable(),
    http: z
      .object({
        url: z.string(), method: z.enum(['POST', 'PUT', 'GET']), headers: z.array(z.object({ name: z.string() })).meta({ description: 'Names only; values are never shown' }),
        bodyTemplate: z.string(), contentType: z.string(),
      })
      .nullable(),
    updatedAt: z.string(),
  })
  .meta({ id: 'MessageTransport' });

export const MessageSettingsSchema = z
  .object({
    channels: z.array(ChannelSchema).meta({ description: 'The order member messages try channels in: the first with a transport and an address wins' }),
    transports: z.object({ whatsapp: TransportViewSchema.nullable(), sms: TransportViewSchema.nullable(), email: TransportViewSchema.nullable() }),
  })
  .meta({ id: 'MessageSettings' });

export const ChannelOrderInput = z.strictObject({
  channels: z
    .array(ChannelSchema)
    .min(1)
    .max(3)
    .refine((list) => new Set(list).size === list.length, 'Each channel at most once'),
});

export const TestSendInput = z.strictObject({
  to: NoNewlines(320).trim().min(3).meta({ description: 'A phone number (E.164) or, for email, an address' }),
  text: z.string().trim().min(1).max(1000).optional(),
});

export const TestSendResultSchema = z
  .object({ sent: z.boolean(), error: z.string().nullable() })
  .meta({ id: 'MessageTestResult' });
