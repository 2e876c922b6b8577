// The member app's words for privacy (issue 10, UU PDP): the data download and deleting the
// account, and an invitation refused because the friend deleted theirs. Spread into the dictionaries of i18n.svelte.ts, so `t()` knows them.

export const privacyEn = {
  'privacy.title': 'Privacy and your data',
  'privacy.intro': 'Under Indonesia’s personal data protection law (UU PDP) you can get a copy of your data or have it erased.',
  'privacy.download': 'Download my data',
  'privacy.downloading': 'Preparing your file…',
  'privacy.downloaded': 'Your data was saved as {file}.',
  'privacy.downloadHint': 'A JSON file with your profile, consents, cards, points, purchases, vouchers, rewards, feedback and messages.',
  'privacy.delete': 'Delete my account',
  'privacy.deleteTitle': 'Delete your account?',
  'privacy.erased': 'Erased: your name, phone number, email, birth date, the text of your feedback, the messages sent to you, and this phone’s sign-in. Your card stops working.',
  'privacy.kept': 'Kept, without your name or number: the shop’s purchase and points records, so its books still add up.',
  'privacy.forfeit': 'Your {points} points and any vouchers are lost. This cannot be undone.',
  'privacy.rejoin': 'You can join again later with the same number, as a new member.',
  'privacy.confirmLabel': 'Type {word} to confirm',
  'privacy.confirmWord': 'DELETE',
  'privacy.confirmMismatch': 'Type {word} exactly to confirm.',
  'privacy.deleteNow': 'Delete my account permanently',
  'privacy.deleting': 'Deleting…',
  'privacy.cancel': 'Cancel',
  'privacy.deleted': 'Your account was deleted.',
  // A friend who deleted their account before the invitation was decided (referrals, `member_erased`).
  'invite.reason.member_erased': 'your friend deleted their account',
};

export const privacyId: Record<keyof typeof privacyEn, string> = {
  'privacy.title': 'Privasi dan data Anda',
  'privacy.intro': 'Sesuai UU Pelindungan Data Pribadi (UU PDP), Anda bisa meminta salinan data Anda atau menghapusnya.',
  'privacy.download': 'Unduh data saya',
  'privacy.downloading': 'Menyiapkan file…',
  'privacy.downloaded': 'Data Anda tersimpan sebagai {file}.',
  'privacy.downloadHint': 'File JSON berisi profil, persetujuan, kartu, poin, belanja, voucher, hadiah, masukan dan pesan Anda.',
  'privacy.delete': 'Hapus akun saya',
  'privacy.deleteTitle': 'Hapus akun Anda?',
  'privacy.erased': 'Dihapus: nama, nomor telepon, email, tanggal lahir, isi masukan Anda, pesan yang dikirim ke Anda, dan login di ponsel ini. Kartu Anda tidak berlaku lagi.',
  'privacy.kept': 'Disimpan, tanpa nama atau nomor Anda: catatan belanja dan poin toko, agar pembukuannya tetap cocok.',
  'privacy.forfeit': '{points} poin dan voucher Anda hangus. Ini tidak bisa dibatalkan.',
  'privacy.rejoin': 'Nanti Anda bisa bergabung lagi dengan nomor yang sama, sebagai member baru.',
  'privacy.confirmLabel': 'Ketik {word} untuk mengonfirmasi',
  'privacy.confirmWord': 'HAPUS',
  'privacy.confirmMismatch': 'Ketik {word} persis untuk mengonfirmasi.',
  'privacy.deleteNow': 'Hapus akun saya selamanya',
  'privacy.deleting': 'Menghapus…',
  'privacy.cancel': 'Batal',
  'privacy.deleted': 'Akun Anda sudah dihapus.',
  'invite.reason.member_erased': 'teman Anda menghapus akunnya',
};
