// A small fetch wrapper for the chaos clients, and the retry rule a careful POS follows.
export interface Answer {
  status: number;
  body: any;
  retryAfter: number | null;
}

export async function call(baseUrl: string, method: string, path: string, opts: { body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<Answer> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { ...(opts.body === undefined ? {} : { 'Content-Type': 'application/json' }), ...opts.headers },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    signal: AbortSignal.timeout(opts.timeoutMs ?? 20_000),
  });
  const text = await res.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    // CSV or plain text
  }
  const retryAfter = res.headers.get('retry-after');
  return { status: res.status, body, retryAfter: retryAfter ? Number(retryAfter) : null };
}

/** Not a definitive answer: the same request (same key, same body) must be sent again. */
export function mustRetry(answer: Answer): boolean {
  if (answer.status >= 500 || answer.status === 429) return true;
  return answer.status === 409 && typeof answer.body?.type === 'string' && answer.body.type.endsWith('idempotency-in-progress');
}
