import { browser } from '$app/environment';

import { interpolate, preferredLocale, type Locale } from '@kartu/api/client';

export type { Locale };

const en = {
  'app.loading': 'Loading…',
  'lang.switch': 'ID | EN: English. Ganti ke Bahasa Indonesia',
  'error.generic': 'Something went wrong. Please try again.',
  'error.offline': 'No connection. Check your data or Wi-Fi and try again.',
  'error.waitSeconds': 'Try again in {seconds} seconds.',
  'error.waitMinutes': 'Try again in {minutes} minutes.',
  'error.notFound': 'Page not found.',
  'error.tenantNotFound': 'Retailer not found. Check the link you were given.',
  'error.home': 'Back to start',
  'start.noTenant': 'No retailer has been set up here yet. Open the link your shop gave you.',
  'auth.title': 'Sign in to your member card',
  'auth.phone': 'Phone number',
  'auth.phoneHint': 'For example 0812 3456 7890. We will send you a one-time code.',
  'auth.sendCode': 'Send code',
  'auth.sending': 'Sending…',
  'auth.codeSent': 'We sent a 6-digit code to {phone}. It is valid for {minutes} minutes.',
  'auth.code': 'One-time code',
  'auth.verify': 'Sign in',
  'auth.verifying': 'Checking…',
  'auth.sendAgain': 'Send the code again',
  'auth.changePhone': 'Use another number',
  'home.greeting': 'Hello, {name}',
  'home.signOut': 'Sign out',
  'card.title': 'Member card',
  'card.qr': 'QR code of card {number}',
  'card.brightness': 'Turn your screen brightness up so the cashier can scan it easily.',
  'card.refresh': 'The code changes every {seconds} seconds; a screenshot will not work.',
  'card.secondsLeft': 'New code in {seconds} seconds',
  'card.offline': 'Offline: showing the card saved on this phone.',
  'wallet.title': 'Save your card to your phone',
  'wallet.google': 'Save to Google Wallet',
  'wallet.apple': 'Add to Apple Wallet',
  'points.title': 'Points',
  'points.balance': 'Points balance',
  'points.unit': 'points',
  'points.pending': 'Pending',
  'points.pendingHint': 'Usable once the return period of the purchase ends.',
  'points.debt': 'Points owed',
  'points.debtHint': 'Your next points pay this off first.',
  'points.expiring': '{points} points expire on {date}',
  'tier.title': 'Your tier',
  'tier.progressLabel': 'Progress to {tier}',
  'tier.toNext': '{amount} more to {tier}',
  'tier.top': 'You are at the top tier. Thank you!',
  'tier.keep': '{amount} more by {date} keeps {tier}',
  'history.title': 'Points history',
  'history.empty': 'No points history yet.',
  'history.loadMore': 'Load more',
  'history.balanceAfter': 'Balance {points}',
  'kind.earn': 'Purchase',
  'kind.redeem': 'Redeemed',
  'kind.expire': 'Expired',
  'kind.adjust': 'Adjustment',
  'kind.reverse': 'Reversed (refund)',
  'kind.return': 'Points returned (refund)',
  'kind.bonus': 'Bonus',
  'kind.debt': 'Points owed',
  'kind.repay': 'Points owed repaid',
};

type MessageKey = keyof typeof en;

const id: Record<MessageKey, string> = {
  'app.loading': 'Memuat…',
  'lang.switch': 'ID | EN: Bahasa Indonesia. Switch to English',
  'error.generic': 'Terjadi kesalahan. Silakan coba lagi.',
  'error.offline': 'Tidak ada koneksi. Periksa data atau Wi-Fi Anda lalu coba lagi.',
  'error.waitSeconds': 'Coba lagi dalam {seconds} detik.',
  'error.waitMinutes': 'Coba lagi dalam {minutes} menit.',
  'error.notFound': 'Halaman tidak ditemukan.',
  'error.tenantNotFound': 'Toko tidak ditemukan. Periksa kembali tautan yang Anda terima.',
  'error.home': 'Kembali ke awal',
  'start.noTenant': 'Belum ada toko yang terdaftar di sini. Buka tautan dari toko Anda.',
  'auth.title': 'Masuk ke kartu member Anda',
  'auth.phone': 'Nomor HP',
  'auth.phoneHint': 'Contoh 0812 3456 7890. Kami akan mengirim kode sekali pakai.',
  'auth.sendCode': 'Kirim kode',
  'auth.sending': 'Mengirim…',
  'auth.codeSent': 'Kode 6 digit telah dikirim ke {phone}. Berlaku {minutes} menit.',
  'auth.code': 'Kode sekali pakai',
  'auth.verify': 'Masuk',
  'auth.verifying': 'Memeriksa…',
  'auth.sendAgain': 'Kirim ulang kode',
  'auth.changePhone': 'Pakai nomor lain',
  'home.greeting': 'Halo, {name}',
  'home.signOut': 'Keluar',
  'card.title': 'Kartu member',
  'card.qr': 'Kode QR kartu {number}',
  'card.brightness': 'Naikkan kecerahan layar agar kasir mudah memindainya.',
  'card.refresh': 'Kode berganti setiap {seconds} detik; tangkapan layar tidak berlaku.',
  'card.secondsLeft': 'Kode baru dalam {seconds} detik',
  'card.offline': 'Offline: menampilkan kartu yang tersimpan di ponsel ini.',
  'wallet.title': 'Simpan kartu di ponsel Anda',
  'wallet.google': 'Simpan ke Google Wallet',
  'wallet.apple': 'Tambahkan ke Apple Wallet',
  'points.title': 'Poin',
  'points.balance': 'Saldo poin',
  'points.unit': 'poin',
  'points.pending': 'Tertunda',
  'points.pendingHint': 'Bisa dipakai setelah masa retur belanja berakhir.',
  'points.debt': 'Utang poin',
  'points.debtHint': 'Poin berikutnya dipakai untuk melunasinya lebih dulu.',
  'points.expiring': '{points} poin kedaluwarsa pada {date}',
  'tier.title': 'Tingkat Anda',
  'tier.progressLabel': 'Kemajuan menuju {tier}',
  'tier.toNext': '{amount} lagi menuju {tier}',
  'tier.top': 'Anda di tingkat tertinggi. Terima kasih!',
  'tier.keep': '{amount} lagi sebelum {date} agar tetap {tier}',
  'history.title': 'Riwayat poin',
  'history.empty': 'Belum ada riwayat poin.',
  'history.loadMore': 'Muat lagi',
  'history.balanceAfter': 'Saldo {points}',
  'kind.earn': 'Belanja',
  'kind.redeem': 'Tukar poin',
  'kind.expire': 'Kedaluwarsa',
  'kind.adjust': 'Penyesuaian',
  'kind.reverse': 'Dibatalkan (retur)',
  'kind.return': 'Poin dikembalikan (retur)',
  'kind.bonus': 'Bonus',
  'kind.debt': 'Utang poin',
  'kind.repay': 'Pelunasan utang poin',
};

const messages: Record<Locale, Record<MessageKey, string>> = { en, id };
const storageKey = 'kartu.locale';

function initialLocale(): Locale {
  return browser ? preferredLocale(localStorage.getItem(storageKey), navigator.languages) : 'id';
}

export const i18n = $state({ locale: initialLocale() });

export function setLocale(locale: Locale) {
  i18n.locale = locale;
  localStorage.setItem(storageKey, locale);
}

export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  return interpolate(messages[i18n.locale][key], params);
}
