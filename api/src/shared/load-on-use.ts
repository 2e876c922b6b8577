import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * A package only some requests need (PDFs, wallet passes, email), loaded by the first of them:
 * pdfkit, passkit-generator and nodemailer hold about 60 MB of a server's resident memory once
 * loaded, which a till server that never prints a card should not carry. Their CommonJS builds.
 */
export function loadOnUse<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(name) as T);
}
