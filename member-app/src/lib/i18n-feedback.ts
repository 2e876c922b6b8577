import { interpolate } from '@kartu/api/client';
import { i18n } from './i18n.svelte';

// The strings of "Rate your visit" and "Complaints and suggestions" (Feedback.svelte), kept apart
// from the app's main dictionaries; the language is the one the app shows.
const en = {
  'feedback.title': 'Rate your visit & send feedback',
  'feedback.rateTitle': 'Rate your visit',
  'feedback.stars': 'How was your visit?',
  'feedback.star': '{n} of 5 stars',
  'feedback.starWord.1': 'Very bad',
  'feedback.starWord.2': 'Bad',
  'feedback.starWord.3': 'Okay',
  'feedback.starWord.4': 'Good',
  'feedback.starWord.5': 'Very good',
  'feedback.purchase': 'Which visit? (optional)',
  'feedback.noPurchase': 'Not a particular purchase',
  'feedback.store': 'Store (optional)',
  'feedback.noStore': 'No particular store',
  'feedback.comment': 'Comment (optional)',
  'feedback.sendRating': 'Send rating',
  'feedback.chooseStars': 'Choose 1 to 5 stars.',
  'feedback.rated': 'Thank you for your rating!',
  'feedback.messageTitle': 'Send a complaint or a suggestion',
  'feedback.kind': 'What is it?',
  'feedback.kind.complaint': 'Complaint',
  'feedback.kind.suggestion': 'Suggestion',
  'feedback.kind.rating': 'Rating',
  'feedback.text': 'Your message',
  'feedback.textRequired': 'Write your message.',
  'feedback.sendMessage': 'Send',
  'feedback.sent': 'Sent. We will reply here.',
  'feedback.sending': 'Sending…',
  'feedback.mine': 'My feedback',
  'feedback.empty': 'You have not sent any feedback yet.',
  'feedback.status.open': 'Received',
  'feedback.status.in_progress': 'Being handled',
  'feedback.status.resolved': 'Resolved',
  'feedback.reply': 'Reply from the shop',
  'feedback.ratingOf': '{n} of 5 stars',
  'feedback.receipt': 'Receipt {receipt}',
};

type Key = keyof typeof en;

const id: Record<Key, string> = {
  'feedback.title': 'Nilai kunjungan & kirim masukan',
  'feedback.rateTitle': 'Nilai kunjungan Anda',
  'feedback.stars': 'Bagaimana kunjungan Anda?',
  'feedback.star': '{n} dari 5 bintang',
  'feedback.starWord.1': 'Sangat buruk',
  'feedback.starWord.2': 'Buruk',
  'feedback.starWord.3': 'Cukup',
  'feedback.starWord.4': 'Baik',
  'feedback.starWord.5': 'Sangat baik',
  'feedback.purchase': 'Kunjungan yang mana? (opsional)',
  'feedback.noPurchase': 'Bukan pembelian tertentu',
  'feedback.store': 'Toko (opsional)',
  'feedback.noStore': 'Tidak ada toko tertentu',
  'feedback.comment': 'Komentar (opsional)',
  'feedback.sendRating': 'Kirim penilaian',
  'feedback.chooseStars': 'Pilih 1 sampai 5 bintang.',
  'feedback.rated': 'Terima kasih atas penilaian Anda!',
  'feedback.messageTitle': 'Kirim keluhan atau saran',
  'feedback.kind': 'Jenisnya?',
  'feedback.kind.complaint': 'Keluhan',
  'feedback.kind.suggestion': 'Saran',
  'feedback.kind.rating': 'Penilaian',
  'feedback.text': 'Pesan Anda',
  'feedback.textRequired': 'Tulis pesan Anda.',
  'feedback.sendMessage': 'Kirim',
  'feedback.sent': 'Terkirim. Kami akan membalas di sini.',
  'feedback.sending': 'Mengirim…',
  'feedback.mine': 'Masukan saya',
  'feedback.empty': 'Anda belum mengirim masukan.',
  'feedback.status.open': 'Diterima',
  'feedback.status.in_progress': 'Sedang ditangani',
  'feedback.status.resolved': 'Selesai',
  'feedback.reply': 'Balasan dari toko',
  'feedback.ratingOf': '{n} dari 5 bintang',
  'feedback.receipt': 'Struk {receipt}',
};

export function tf(key: Key | `feedback.${string}`, params: Record<string, string | number> = {}): string {
  const dictionary: Record<string, string> = i18n.locale === 'en' ? en : id;
  return interpolate(dictionary[key] ?? key, params);
}
