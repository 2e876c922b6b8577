import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { checkedAddresses, guardedLookup } from '../messages/targets.ts';

/** The whole attempt, connection to last byte of the answer. */
export const WEBHOOK_TIMEOUT_MS = 10_000;

export interface PostOutcome {
  /** The receiver's HTTP status; null when none came (refused target, network error, timeout). */
  status: number | null;
  /** Why it did not succeed; null on a 2xx. */
  error: string | null;
}

/**
 * POSTs a delivery once. Redirects are not followed (a 3xx is a failure: the receiver's URL is what
 * was saved and checked); the target is checked again at send time and the request connects to the
 * checked address, like the message gateways.
 */
export async function postWebhook(url: string, headers: Record<string, string>, body: string, allowPrivate: boolean): Promise<PostOutcome> {
  try {
    const target = new URL(url);
    await checkedAddresses(target.hostname, allowPrivate);
    const status = await send(target, { ...headers, 'Content-Length': String(Buffer.byteLength(body)) }, body, allowPrivate);
    if (status >= 200 && status < 300) return { status, error: null };
    return { status, error: `The receiver answered HTTP ${status}` };
  } catch (error) {
    return { status: null, error: error instanceof Error ? error.message : String(error) };
  }
}

function send(target: URL, headers: Record<string, string>, body: string, allowPrivate: boolean): Promise<number> {
  const requestFn = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<number>((resolve, reject) => {
    let req: ClientRequest | undefined;
    let response: IncomingMessage | undefined;
    const deadline = setTimeout(() => {
      const error = new Error(`No complete answer within ${WEBHOOK_TIMEOUT_MS / 1000} s`);
      reject(error);
      response?.destroy(error);
      req?.destroy(error);
    }, WEBHOOK_TIMEOUT_MS);
    const done = (fn: () => void) => { clearTimeout(deadline); fn(); };
    req = requestFn(target, { method: 'POST', headers, lookup: guardedLookup(allowPrivate) as never, timeout: WEBHOOK_TIMEOUT_MS }, (res) => {
      response = res;
      res.resume(); // the answer's body is not kept
      res.on('end', () => done(() => resolve(res.statusCode ?? 0)));
      res.on('error', (error) => done(() => reject(error)));
    });
    req.on('timeout', () => req!.destroy(new Error(`No answer within ${WEBHOOK_TIMEOUT_MS / 1000} s`)));
    req.on('error', (error) => done(() => reject(error)));
    req.end(body);
  });
}
