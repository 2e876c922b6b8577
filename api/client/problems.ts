import { interpolate, type Locale } from './i18n.ts';

// What a person at the till or on the phone reads for the API's problem codes, in both
// languages. `detail` stays the integrator's text; codes not listed here fall back to it.
const texts: Record<string, Record<Locale, string>> = {
  duplicate_receipt: { id: 'Nomor struk ini sudah pernah dicatat.', en: 'This receipt number was already posted.' },
  insufficient_points: { id: 'Poin tidak cukup: yang bisa dipakai {balance} poin.', en: 'Not enough points: {balance} can be spent.' },
  presence_required: { id: 'Scan kartu member di toko ini dulu.', en: 'Scan the member’s card at this store first.' },
  checkout_changed: { id: 'Total berubah sejak dihitung. Periksa lalu coba lagi.', en: 'The total changed since it was worked out. Check it and try again.' },
  invalid_code: { id: 'Kode salah atau kedaluwarsa.', en: 'Wrong or expired code.' },
  invalid_code_tries: { id: 'Kode salah. Sisa {triesLeft} percobaan.', en: 'Wrong code. {triesLeft} tries left.' },
  invalid_presence_code: { id: 'Kode salah, kedaluwarsa, sudah dipakai, atau untuk toko lain. Kirim kode baru.', en: 'The code is wrong, expired, used or for another store. Send a new code.' },
  invalid_presence_code_tries: { id: 'Kode salah. Sisa {triesLeft} percobaan.', en: 'Wrong code. {triesLeft} tries left.' },
  rate_limited: { id: 'Terlalu banyak percobaan.', en: 'Too many attempts.' },
  unauthenticated: { id: 'Silakan masuk lagi.', en: 'Please sign in again.' },
  forbidden: { id: 'Anda tidak punya izin untuk ini.', en: 'You are not allowed to do this.' },
  not_found: { id: 'Tidak ditemukan.', en: 'Not found.' },
  phone_taken: { id: 'Nomor HP ini sudah terdaftar.', en: 'This phone number is already registered.' },
  email_taken: { id: 'Email ini sudah dipakai.', en: 'This email is already in use.' },
  slug_taken: { id: 'Alamat toko ini sudah dipakai.', en: 'This shop address is taken.' },
  store_code_taken: { id: 'Kode toko ini sudah dipakai.', en: 'This store code is in use.' },
  store_inactive: { id: 'Toko ini sudah dinonaktifkan.', en: 'This store is inactive.' },
  last_active_store: { id: 'Harus ada minimal satu toko yang aktif.', en: 'At least one store must stay active.' },
  last_owner: { id: 'Toko harus tetap punya minimal satu pemilik yang aktif.', en: 'The retailer must keep at least one active owner.' },
  signup_closed: { id: 'Pendaftaran toko baru ditutup di server ini.', en: 'Retailer sign-up is closed on this server.' },
  voucher_used_up: { id: 'Voucher ini sudah habis dipakai.', en: 'This voucher has been used up.' },
  voucher_expired: { id: 'Voucher ini sudah kedaluwarsa.', en: 'This voucher has expired.' },
  voucher_not_started: { id: 'Voucher ini belum berlaku.', en: 'This voucher is not valid yet.' },
  voucher_not_eligible: { id: 'Voucher ini tidak bisa dipakai untuk transaksi ini.', en: 'This voucher cannot be used here.' },
  voucher_rejected: { id: 'Voucher ditolak: periksa kode, masa berlaku dan syaratnya.', en: 'Voucher refused: check the code, its dates and its conditions.' },
  voucher_code_taken: { id: 'Kode voucher ini sudah dipakai.', en: 'This voucher code is already in use.' },
  reward_out_of_stock: { id: 'Stok hadiah ini sudah habis.', en: 'This reward is out of stock.' },
  reward_limit_reached: { id: 'Batas penukaran hadiah ini untuk member sudah tercapai.', en: 'This member has redeemed this reward as often as allowed.' },
  reward_not_available: { id: 'Hadiah ini tidak tersedia untuk member ini saat ini.', en: 'This reward is not available to this member right now.' },
  idempotency_in_progress: { id: 'Permintaan sebelumnya masih diproses. Coba lagi sebentar.', en: 'The previous request is still being processed. Try again in a moment.' },
  internal: { id: 'Ada masalah di server. Coba lagi.', en: 'Something went wrong on the server. Try again.' },
  timeout: { id: 'Server terlalu lama menjawab. Coba lagi.', en: 'The server took too long to answer. Try again.' },
};

export interface ProblemLike {
  code?: string;
  detail?: string;
  title?: string;
  [extra: string]: unknown;
}

/** The problem in the reader's language when its code is known, else the API's own words. */
export function problemText(problem: ProblemLike | undefined, locale: Locale): string | undefined {
  if (!problem) return undefined;
  const hasTries = problem.code === 'invalid_code' || problem.code === 'invalid_presence_code';
  const code = hasTries && Number(problem.triesLeft) > 0 ? `${problem.code}_tries` : problem.code;
  const text = code ? texts[code]?.[locale] : undefined;
  if (text) return interpolate(text, problem as Record<string, string | number>);
  return problem.detail || problem.title;
}
