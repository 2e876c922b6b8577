import type { BeforeNavigate } from '@sveltejs/kit';

// A screen holding work that leaving would put at risk (the till's unconfirmed sale) registers what
// to ask; signing out and moving to another screen ask it first, and the cashier may stay.

let question: (() => string | null) | null = null;
/** The cashier already chose to leave (signing out asks before its sign-out call, then navigates). */
let leaveConfirmed = false;

/** Registers the question to ask before leaving (null: nothing at risk); returns the unregistration. */
export function guardLeaving(ask: () => string | null): () => void {
  question = ask;
  return () => {
    if (question === ask) question = null;
  };
}

/** Whether to go on leaving: nothing at risk, or the cashier chose to leave. */
export function confirmLeaving(): boolean {
  const text = question?.();
  if (!text || leaveConfirmed) return true;
  leaveConfirmed = confirm(text);
  return leaveConfirmed;
}

/** For `beforeNavigate`: asks before moving to another screen; closing or reloading the tab gets the browser's own warning. */
export function guardNavigation(navigation: BeforeNavigate) {
  if (!question?.()) return;
  if (navigation.type === 'leave') {
    navigation.cancel();
    return;
  }
  if (!confirmLeaving()) navigation.cancel();
  leaveConfirmed = false;
}
