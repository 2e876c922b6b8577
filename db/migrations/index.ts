import type { Migration } from 'kysely';
import * as m0001 from './0001_foundation.ts';
import * as m0002 from './0002_points_engine.ts';
import * as m0003 from './0003_rotating_codes.ts';
import * as m0004 from './0004_card_lifecycle.ts';
import * as m0005 from './0005_card_branding_wallets.ts';
import * as m0006 from './0006_promotions_vouchers_rewards.ts';
import * as m0007 from './0007_presence_codes.ts';
import * as m0008 from './0008_voucher_voids.ts';
import * as m0009 from './0009_acquire_know.ts';
import * as m0010 from './0010_offers.ts';
import * as m0011 from './0011_mining_indexes.ts';
import * as m0012 from './0012_automations.ts';
import * as m0013 from './0013_messages.ts';
import * as m0014 from './0014_feedback.ts';
import * as m0015 from './0015_retain_reliability.ts';
import * as m0016 from './0016_staff_admin.ts';
import * as m0017 from './0017_member_imports.ts';
import * as m0019 from './0019_member_360.ts';
import * as m0020 from './0020_import_lifecycle.ts';
import * as m0021 from './0021_webhooks.ts';
import * as m0024 from './0024_store_active.ts';
import * as m0025 from './0025_products.ts';
import * as m0026 from './0026_rate_limits.ts';
import * as m0027 from './0027_member_erasure.ts';
import * as m0028 from './0028_scale_indexes.ts';
import * as m0029 from './0029_audit_erasure.ts';
import * as m0030 from './0030_voucher_use_at_commit.ts';
import * as m0031 from './0031_member_name_words.ts';
import * as m0032 from './0032_rfm_scores_unconstrained.ts';
import * as m0033 from './0033_stages_refreshed_at.ts';
import * as m0034 from './0034_member_name_phrases.ts';

// Explicit, ordered, frozen once landed: a change to the schema is a new migration.
export const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_points_engine': m0002,
  '0003_rotating_codes': m0003,
  '0004_card_lifecycle': m0004,
  '0005_card_branding_wallets': m0005,
  '0006_promotions_vouchers_rewards': m0006,
  '0007_presence_codes': m0007,
  '0008_voucher_voids': m0008,
  '0009_acquire_know': m0009,
  '0010_offers': m0010,
  '0011_mining_indexes': m0011,
  '0012_automations': m0012,
  '0013_messages': m0013,
  '0014_feedback': m0014,
  '0015_retain_reliability': m0015,
  '0016_staff_admin': m0016,
  '0017_member_imports': m0017,
  '0019_member_360': m0019,
  '0020_import_lifecycle': m0020,
  '0021_webhooks': m0021,
  '0024_store_active': m0024,
  '0025_products': m0025,
  '0026_rate_limits': m0026,
  '0027_member_erasure': m0027,
  '0028_scale_indexes': m0028,
  '0029_audit_erasure': m0029,
  '0030_voucher_use_at_commit': m0030,
  '0031_member_name_words': m0031,
  '0032_rfm_scores_unconstrained': m0032,
  '0033_stages_refreshed_at': m0033,
  '0034_member_name_phrases': m0034,
};
