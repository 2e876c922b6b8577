import type { Member } from './api';

/** What the card shows once after joining (kept in the history entry's state, so a reload drops it). */
export interface WelcomeInfo {
  /** false: the phone was a member already and was signed in */
  created: boolean;
  firstName: string;
  /** The welcome points credited on joining (none for a phone that had them before) */
  bonus: number;
  /** Points promised after the first purchase, for a referred friend */
  referralPoints: number;
}

export function welcomeOf(created: boolean, member: Member, referralPoints: number): WelcomeInfo {
  return {
    created,
    firstName: member.name.trim().split(/\s+/)[0] ?? member.name,
    bonus: created ? member.points.balance + member.points.pending : 0,
    referralPoints: created && member.source === 'referral' ? referralPoints : 0,
  };
}
