// Reading the start of a CSV file in the browser, for the import's column mapping and preview. The
// API reads the whole file; this only needs the header and a few rows, and sniffs the separator
// the same way (the one that splits the header line most).

export type ImportField = 'phone' | 'name' | 'email' | 'birthDate' | 'externalId' | 'openingPoints' | 'tags' | 'marketingOptIn';
export const IMPORT_FIELDS: ImportField[] = ['phone', 'name', 'email', 'birthDate', 'externalId', 'openingPoints', 'tags', 'marketingOptIn'];

export function sniffDelimiter(firstLine: string): string {
  let best = ',';
  for (const d of [',', ';', '\t']) if (firstLine.split(d).length > firstLine.split(best).length) best = d;
  return best;
}

/** The first `limit` records of `text` (quotes and doubled quotes honoured; a cut-off last line dropped). */
export function parseCsvStart(text: string, limit: number): string[][] {
  const body = text.replace(/^\uFEFF/, '');
  const delimiter = sniffDelimiter(body.split(/\r?\n/, 1)[0] ?? '');
  const records: string[][] = [];
  let record: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < body.length && records.length < limit; i++) {
    const ch = body[i];
    if (quoted) {
      if (ch === '"' && body[i + 1] === '"') (cell += '"'), i++;
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === delimiter) record.push(cell), (cell = '');
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && body[i + 1] === '\n') i++;
      record.push(cell);
      if (record.some((c) => c !== '')) records.push(record);
      record = [];
      cell = '';
    } else cell += ch;
  }
  if (records.length < limit && !quoted && (cell || record.length)) records.push([...record, cell]);
  return records;
}

// Headers people use for each field, in Indonesian and English, compared without case or punctuation.
const SYNONYMS: Record<ImportField, string[]> = {
  phone: ['phone', 'phone number', 'mobile', 'telepon', 'telp', 'no telp', 'no hp', 'nomor hp', 'hp', 'handphone', 'whatsapp', 'wa', 'nomor telepon', 'no telepon'],
  name: ['name', 'full name', 'nama', 'nama lengkap', 'nama member', 'nama pelanggan', 'customer name'],
  email: ['email', 'e mail', 'surel', 'alamat email'],
  birthDate: ['birth date', 'birthdate', 'birthday', 'date of birth', 'dob', 'tanggal lahir', 'tgl lahir', 'ulang tahun'],
  externalId: ['id', 'external id', 'member id', 'customer id', 'id lama', 'id member', 'kode member', 'kode pelanggan', 'no member', 'nomor member'],
  openingPoints: ['points', 'point', 'opening points', 'balance', 'points balance', 'poin', 'saldo', 'saldo poin', 'poin awal'],
  tags: ['tags', 'tag', 'label', 'labels', 'kategori'],
  marketingOptIn: ['marketing', 'marketing consent', 'consent', 'opt in', 'promo', 'setuju promo', 'persetujuan promosi', 'boleh promo'],
};

const simple = (header: string) => header.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();

/** The header each field most likely is, each header used once. */
export function autoMatch(headers: string[]): Partial<Record<ImportField, string>> {
  const taken = new Set<string>();
  const mapping: Partial<Record<ImportField, string>> = {};
  for (const field of IMPORT_FIELDS) {
    const header = headers.find((h) => !taken.has(h) && SYNONYMS[field].includes(simple(h)));
    if (header) {
      mapping[field] = header;
      taken.add(header);
    }
  }
  return mapping;
}
