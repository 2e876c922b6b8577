// Indonesian given and family names for generated members: 40 × 40 × 40 combinations, so a full name
// is shared by ~16 of a million members and a first name by 1 in 40, as in a real member base.
export const FIRST_NAMES = [
  'Siti', 'Budi', 'Dewi', 'Agus', 'Rina', 'Ahmad', 'Sri', 'Eko', 'Putri', 'Hendra', 'Wati', 'Joko', 'Ayu', 'Rudi', 'Nur',
  'Bambang', 'Lestari', 'Andi', 'Fitri', 'Yusuf', 'Indah', 'Dian', 'Rizky', 'Mega', 'Fajar', 'Ratna', 'Hadi', 'Maya',
  'Teguh', 'Yuni', 'Arif', 'Intan', 'Bayu', 'Kartika', 'Irfan', 'Novi', 'Gilang', 'Sari', 'Wahyu', 'Citra',
] as const;
export const MIDDLE_NAMES = [
  'Nur', 'Dwi', 'Tri', 'Eka', 'Ayu', 'Putra', 'Putri', 'Adi', 'Indra', 'Mulia', 'Sari', 'Dharma', 'Wira', 'Kusuma', 'Ratna',
  'Amalia', 'Fauzi', 'Hasan', 'Rahma', 'Surya', 'Bintang', 'Cahya', 'Dinda', 'Eko', 'Fitria', 'Gita', 'Hana', 'Ilham',
  'Jaya', 'Kurnia', 'Lintang', 'Mawar', 'Nanda', 'Oktavia', 'Permata', 'Rizki', 'Sekar', 'Tirta', 'Utami', 'Wulan',
] as const;
export const LAST_NAMES = [
  'Rahayu', 'Santoso', 'Wijaya', 'Lestari', 'Pratama', 'Saputra', 'Hidayat', 'Kurniawan', 'Setiawan', 'Susanti',
  'Nugroho', 'Purnomo', 'Siregar', 'Nasution', 'Harahap', 'Simanjuntak', 'Sitompul', 'Gunawan', 'Halim', 'Tanjung',
  'Wibowo', 'Hakim', 'Suryadi', 'Firmansyah', 'Ramadhan', 'Permana', 'Utomo', 'Sihombing', 'Pangaribuan', 'Effendi',
  'Syahputra', 'Maulana', 'Anggraini', 'Puspita', 'Handayani', 'Marpaung', 'Situmorang', 'Lubis', 'Daulay', 'Sembiring',
] as const;
