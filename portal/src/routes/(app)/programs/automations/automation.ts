import { formatPoints, type components } from '@kartu/api/client';
import { i18n, t, tEnum } from '$lib/i18n.svelte';

export type Automation = components['schemas']['Automation'];

/** "Birthday", "No purchase for N days (30)", "Purchase in a category (kopi, teh)". */
export function triggerText(trigger: Automation['trigger']): string {
  const name = tEnum('automationTrigger', trigger.kind);
  switch (trigger.kind) {
    case 'inactive':
    case 'points_expiring':
      return `${name} (${trigger.days})`;
    case 'tier_change':
      return `${name} (${tEnum('automationDirection', trigger.direction)}${trigger.tier ? ` → ${trigger.tier}` : ''})`;
    case 'category_purchase':
      return `${name} (${trigger.categories.join(', ')})`;
    case 'segment_entry':
      return `${name} (${trigger.segment})`;
    default:
      return name;
  }
}

/** "50 points, a voucher, a message". */
export function actionsText(automation: Automation): string {
  return [
    automation.points ? t('automations.givesPoints', { points: formatPoints(automation.points, i18n.locale) }) : '',
    automation.voucher ? t('automations.givesVoucher') : '',
    automation.message ? t('automations.givesMessage') : '',
  ].filter(Boolean).join(', ');
}
