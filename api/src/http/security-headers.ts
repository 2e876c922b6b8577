// Headers every response carries, API and web apps alike (the server applies them to the apps too).

/** The member app's join form is made to be framed by retailers' websites (the portal's embed code). */
const embeddableJoinPage = /^\/app\/[^/?#]+\/join\/?(?:[?#]|$)/;

// The API docs load only their own script and style files (swagger-ui-dist); swagger-ui styles
// elements inline and draws its icons from data: URLs.
const docsPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

export function securityHeaders(path: string, servingTls: boolean): Record<string, string> {
  const headers: Record<string, string> = {
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'same-origin',
  };
  if (path === '/api/docs' || path.startsWith('/api/docs?')) {
    headers['Content-Security-Policy'] = docsPolicy;
    headers['X-Frame-Options'] = 'DENY';
  } else if (!embeddableJoinPage.test(path)) {
    // Same origin stays allowed: the portal previews the API's PDFs in a frame.
    headers['Content-Security-Policy'] = "frame-ancestors 'self'";
    headers['X-Frame-Options'] = 'SAMEORIGIN';
  }
  // Only over TLS the server itself serves; a TLS-terminating proxy sets its own.
  if (servingTls) headers['Strict-Transport-Security'] = 'max-age=15552000';
  return headers;
}
