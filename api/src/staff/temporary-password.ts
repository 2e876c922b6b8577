import { randomInt } from 'node:crypto';

// No 0/O, 1/l/I: the password is read off a screen and typed on a till.
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** A one-time password an owner or admin hands over, e.g. `kx7m-p2qa-9fhe-t4wn` (about 79 bits). */
export function temporaryPassword(): string {
  const groups = Array.from({ length: 4 }, () => Array.from({ length: 4 }, () => ALPHABET[randomInt(ALPHABET.length)]).join(''));
  return groups.join('-');
}
