import { z } from 'zod';
import type { Routes } from '../http/route.ts';
import { ChannelOrderInput, ChannelSchema, MessageSettingsSchema, TestSendInput, TestSendResultSchema, TransportInput } from './messages.schema.ts';
import { messageSettings, removeTransport, saveTransport, setChannelOrder, setMemberLanguage, testSend } from './messages.service.ts';

const ChannelParams = z.object({ channel: ChannelSchema });
const PRIVATE_NOTE =
  'The SMTP host or the gateway URL’s host is resolved and every address checked: loopback, private and link-local addresses are refused (400 naming the field) unless the server runs with `KARTU_ALLOW_PRIVATE_TARGETS=on`; the check is repeated for every message sent.';

export function messageRoutes(routes: Routes) {
  routes.add({
    method: 'get',
    path: '/api/v1/settings/messages',
    summary: 'Message transports per channel (null when not set up) and the order member messages try channels in; never a password or token',
    tags: ['Messages'],
    auth: { principals: ['staff', 'api_key'], permission: 'messages.manage' },
    responses: { 200: { description: 'Message settings', schema: MessageSettingsSchema } },
    handler: async ({ db, principal }) => ({ status: 200, body: await messageSettings(db, principal) }),
  });

  routes.add({
    method: 'put',
    path: '/api/v1/settings/messages/transports/{channel}',
    summary: 'Set up how a channel is sent: email by SMTP, WhatsApp and SMS through an HTTP gateway',
    description:
      `Owners, admins and admin API keys (permission \`messages.manage\`). \`email\` takes \`kind: "smtp"\` (host, port, security, user, password, from); \`whatsapp\` and \`sms\` take \`kind: "http"\` (url, method, headers, bodyTemplate with {{to}} {{text}} {{channel}} {{subject}} {{id}}, contentType). The password and header values are stored encrypted and never shown again; leave them out to keep the stored ones. ${PRIVATE_NOTE} Once set up, new messages of the channel are sent (status \`pending\` → \`sent\`); audit-logged without secrets.`,
    tags: ['Messages'],
    auth: { principals: ['staff', 'api_key'], permission: 'messages.manage' },
    params: ChannelParams,
    body: TransportInput,
    responses: { 200: { description: 'Message settings', schema: MessageSettingsSchema } },
    handler: async ({ db, deps, principal, params, body }) => ({ status: 200, body: await saveTransport(db, principal, deps.config, params.channel, body) }),
  });

  routes.add({
    method: 'delete',
    path: '/api/v1/settings/messages/transports/{channel}',
    summary: 'Remove a channel’s transport and its secrets; its messages stay unconfigured (visible in the outbox) until one is set up',
    tags: ['Messages'],
    auth: { principals: ['staff', 'api_key'], permission: 'messages.manage' },
    params: ChannelParams,
    responses: { 200: { description: 'Message settings', schema: MessageSettingsSchema } },
    handler: async ({ db, principal, params }) => ({ status: 200, body: await removeTransport(db, principal, params.channel) }),
  });

  routes.add({
    method: 'put',
    path: '/api/v1/settings/messages/channels',
    summary: 'The order member messages try channels in (e.g. WhatsApp, then SMS, then email)',
    description: 'A member message goes by the first channel in this order that has a transport and an address for the member (email only when the member has one). Channels left out are not used for member messages.',
    tags: ['Messages'],
    auth: { principals: ['staff', 'api_key'], permission: 'messages.manage' },
    body: ChannelOrderInput,
    responses: { 200: { description: 'Message settings', schema: MessageSettingsSchema } },
    handler: async ({ db, principal, body }) => ({ status: 200, body: await setChannelOrder(db, principal, body.channels) }),
  });

  routes.add({
    method: 'post',
    path: '/api/v1/settings/messages/transports/{channel}/test',
    summary: 'Send a test message now through a channel’s transport',
    description: `Sends at once (not through the outbox) and answers whether the transport accepted it, with its error when not. ${PRIVATE_NOTE}`,
    tags: ['Messages'],
    auth: { principals: ['staff', 'api_key'], permission: 'messages.manage' },
    params: ChannelParams,
    body: TestSendInput,
    responses: { 200: { description: 'Whether it was sent', schema: TestSendResultSchema }, 404: { description: 'The channel has no transport' } },
    handler: async ({ db, deps, principal, params, body }) => ({ status: 200, body: await testSend(db, principal, deps.config, params.channel, body) }),
  });

  routes.add({
    method: 'put',
    path: '/api/v1/me/language',
    summary: 'Remember the language the member chose in the app: messages to the member are written in it',
    description: 'Without it, messages use the retailer’s language.',
    tags: ['Member app'],
    auth: { principals: ['member'] },
    body: z.strictObject({ language: z.enum(['id', 'en']) }),
    responses: { 204: { description: 'Remembered' } },
    handler: async ({ db, principal, body }) => {
      await setMemberLanguage(db, principal, body.language);
      return { status: 204 };
    },
  });
}
