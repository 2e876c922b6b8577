/** The store and retailer time zones Kartu offers (WIB, WITA, WIT), as the API accepts them. */
export const TIME_ZONES = ['Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura'] as const;
export type TimeZone = (typeof TIME_ZONES)[number];
