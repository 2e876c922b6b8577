import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * A package only some requests need (PDFs, wallet passes, email), loaded by the first of them:
 * pdfkit, passkit-generator and nodemailer took 21 MB of the server's resident memory after
 * start-up, which a till server that never prints a card need not carry. Their CommonJS builds.
 */
export function loadOnUse<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(name) as T);
}
