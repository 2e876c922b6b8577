import type { Member } from './api';

/**
 * What the card shows once after joining. It travels in the history entry's state to the card, which
 * takes it and clears the state at once, so going back or reloading does not greet again.
 */
export interface WelcomeInfo {
  /** false: the phone was a member already and was signed in */
  created: boolean;
  firstName: string;
  /** The welcome points credited on joining (none for a phone that had them before) */
  bonus: number;
  /** Points promised after the first purchase, for a referred friend */
  referralPoints: number;
  /** The first purchase must reach this (minor units) for the referral points; 0: any purchase */
  referralMinSpend: number;
}

export function welcomeOf(created: boolean, member: Member, referralPoints: number, referralMinSpend = 0): WelcomeInfo {
  const referred = created && member.source === 'referral';
  return {
    created,
    firstName: member.name.trim().split(/\s+/)[0] ?? member.name,
    bonus: created ? member.points.balance + member.points.pending : 0,
    referralPoints: referred ? referralPoints : 0,
    referralMinSpend: referred ? referralMinSpend : 0,
  };
}
