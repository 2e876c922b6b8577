// Routes whose body is a CSV file, streamed by the route itself (the JSON body parser leaves it alone).
export const csvUploads = new Set(['/api/v1/imports/members']);

/**
 * Long by design, so not cut by the request timeout (and not documented with its 503): streamed files,
 * bulk generation (a million voucher codes takes most of a minute), a backup, the whole-ledger check. Takes a request's path
 * or a route's OpenAPI path.
 */
export const untimed = (path: string) => csvUploads.has(path) || /\.(csv|pdf)$/.test(path) || ['/api/v1/vouchers/batches', '/api/v1/cards/stock', '/api/internal/backup', '/api/internal/ledger/verify'].includes(path);
