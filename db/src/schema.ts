import type { ColumnType, Generated, GeneratedAlways } from 'kysely';

// Table types by hand, kept beside the migrations. int8 columns come back as JS numbers
// (checked to be safe integers by createDb's type parsers); dates as 'YYYY-MM-DD' strings.
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;

export interface TenantTable {
  id: string;
  slug: string;
  name: string;
  currency: Generated<string>;
  time_zone: Generated<string>;
  locale: Generated<'id' | 'en'>;
  point_value: Generated<number>;
  expiry_policy: Generated<'never' | 'months' | 'end_of_period'>;
  expiry_months: Generated<number>;
  expiry_period: Generated<'month' | 'quarter' | 'year'>;
  return_window_days: Generated<number>;
  tier_basis: Generated<'spend' | 'points'>;
  tier_window_months: Generated<number>;
  lifecycle_new_days: Generated<number>;
  lifecycle_at_risk_days: Generated<number>;
  lifecycle_lapsed_days: Generated<number>;
  welcome_bonus_points: Generated<number>;
  referral_referrer_points: Generated<number>;
  referral_referee_points: Generated<number>;
  referral_min_spend: Generated<number>;
  /** Rewarded referrals per referrer per calendar month (tenant time); null: no cap. */
  referral_monthly_cap: number | null;
  /** The public sign-up form's and the poster's texts (signup-form.ts). */
  signup_form: ColumnType<Record<string, unknown>, string | undefined, string>;
  rfm_window_months: Generated<number>;
  clv_horizon_months: Generated<number>;
  rfm_computed_at: Timestamp | null;
  /** When the housekeeping job last moved this retailer's members along their lifecycle stages by the clock. */
  stages_refreshed_at: Timestamp | null;
  /** '#rrggbb', lower case: the card's background and the app's accent. */
  brand_primary: Generated<string>;
  /** '#rrggbb': text on brand_primary. */
  brand_text: Generated<string>;
  logo: Buffer | null;
  logo_type: 'image/png' | 'image/jpeg' | null;
  logo_updated_at: Date | null;
  /** The order member messages try channels in: the first with a transport and an address wins. */
  message_channels: Generated<('sms' | 'whatsapp' | 'email')[]>;
  /** At most this many automated marketing messages per member in automation_cap_days days (0: none). */
  automation_message_cap: Generated<number>;
  automation_cap_days: Generated<number>;
  created_at: CreatedAt;
}

export interface StoreTable {
  tenant_id: string;
  id: string;
  code: string;
  name: string;
  region: string | null;
  time_zone: string;
  active: Generated<boolean>;
  created_at: CreatedAt;
}

export type StaffRole = 'owner' | 'admin' | 'marketer' | 'cashier';

export interface StaffTable {
  tenant_id: string;
  id: string;
  email: string;
  name: string;
  role: StaffRole;
  password_hash: string;
  store_id: string | null;
  active: Generated<boolean>;
  /** Set when an owner or admin chose the password (invitation, reset); cleared when the holder sets their own. */
  must_change_password: Generated<boolean>;
  created_at: CreatedAt;
}

export interface SessionTable {
  tenant_id: string;
  id: string;
  principal_kind: 'staff' | 'member';
  principal_id: string;
  secret_hash: Buffer;
  expires_at: Timestamp;
  created_at: CreatedAt;
}

export interface ApiKeyTable {
  tenant_id: string;
  id: string;
  name: string;
  scopes: string[];
  store_id: string | null;
  secret_hash: Buffer;
  created_by: string;
  created_at: CreatedAt;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface AuditLogTable {
  tenant_id: string;
  id: string;
  actor_kind: string;
  actor_id: string | null;
  action: string;
  target_type: string;
  target_id: string | null;
  details: ColumnType<Record<string, unknown>, string | undefined, never>;
  created_at: CreatedAt;
}

export interface TierTable {
  tenant_id: string;
  id: string;
  code: string;
  name: string;
  rank: number;
  min_qualifying: Generated<number>;
  earn_multiplier_pct: Generated<number>;
  free_shipping: Generated<boolean>;
}

export type LifecycleStage = 'prospect' | 'new' | 'active' | 'at_risk' | 'lapsed' | 'won_back';

export type MemberSource = 'in_store' | 'web_form' | 'referral' | 'import' | 'campaign';

export interface MemberTable {
  tenant_id: string;
  id: string;
  name: string;
  phone: string;
  email: string | null;
  birth_date: string | null;
  marketing_opt_in: Generated<boolean>;
  status: Generated<'active' | 'blocked' | 'merged' | 'erased'>;
  lifecycle_stage: Generated<LifecycleStage>;
  tier_id: string;
  source: Generated<MemberSource>;
  source_tag: string | null;
  referral_code: string;
  referred_by: string | null;
  tags: Generated<string[]>;
  /** The language the member chose in the app; null: the tenant's. */
  language: 'id' | 'en' | null;
  phone_verified_at: Timestamp | null;
  first_purchase_at: Timestamp | null;
  last_purchase_at: Timestamp | null;
  /** The purchase that ended a lapse; the member is 'won_back' for lifecycle_new_days after it. */
  won_back_at: Timestamp | null;
  stage_changed_at: Timestamp | null;
  merged_into: string | null;
  /** Erased on the member's request (issue 10): the row is a tombstone without personal data. */
  erased_at: Timestamp | null;
  /** When the marketing consent last changed; null: as given when joining. */
  marketing_opt_in_at: Timestamp | null;
  tier_since: Timestamp | null;
  tier_review_at: Timestamp | null;
  created_at: CreatedAt;
}

/** A name's suffixes from each word start, lowercased, kept by a trigger (migration 0031): the member search's index. */
export interface MemberNameWordTable {
  tenant_id: string;
  member_id: string;
  starts_at: number;
  word: string;
  suffix: string;
  /** The suffix's first two words (generated, migration 0034); null for a suffix of one word. */
  phrase: GeneratedAlways<string | null>;
}

export interface CardKeyTable {
  tenant_id: string;
  kid: string;
  secret_enc: string;
  created_at: CreatedAt;
}

export interface WalletIssuerTable {
  tenant_id: string;
  provider: 'google' | 'apple';
  /** What may be shown: issuer id, service-account email, pass type id, team id. */
  settings: ColumnType<Record<string, unknown>, string, string>;
  /** The private key (and certificates) sealed with KARTU_SECRET_KEY. */
  secret_enc: string;
  updated_at: Generated<Date>;
}

type Jsonb<T = Record<string, unknown>> = ColumnType<T, string, string>;

export interface PromotionTable {
  tenant_id: string;
  id: string;
  name: string;
  status: Generated<'active' | 'paused' | 'archived'>;
  starts_at: Timestamp;
  /** Inclusive. */
  ends_at: Timestamp;
  priority: Generated<number>;
  exclusivity_group: string | null;
  conditions: ColumnType<Record<string, unknown>, string | undefined, string>;
  effect: Jsonb;
  created_at: CreatedAt;
  updated_at: Generated<Date>;
}

export type VoucherKind = 'amount' | 'percent' | 'free_shipping' | 'free_item';

export interface VoucherBatchTable {
  tenant_id: string;
  id: string;
  name: string | null;
  /** batch: generated codes; public: one code for many members; personal: codes bound to members; reward: issued by a reward; offer: issued with an offer. */
  origin: 'batch' | 'public' | 'personal' | 'reward' | 'offer' | 'automation';
  kind: VoucherKind;
  value: number | null;
  max_discount: number | null;
  sku: string | null;
  min_spend: Generated<number>;
  starts_at: Timestamp | null;
  /** Inclusive; null for reward batches, whose vouchers carry their own expiry. */
  expires_at: Timestamp | null;
  uses_per_code: number | null;
  per_member_limit: number | null;
  channels: string[] | null;
  stores: string[] | null;
  priority: Generated<number>;
  exclusivity_group: string | null;
  reward_id: string | null;
  offer_id: Generated<string | null>;
  automation_id: Generated<string | null>;
  count: number;
  status: Generated<'active' | 'disabled'>;
  created_at: CreatedAt;
}

export interface VoucherTable {
  tenant_id: string;
  id: string;
  batch_id: string;
  /** Normalised: upper case, no hyphens or spaces. */
  code: string;
  member_id: string | null;
  /** Null: unlimited. */
  max_uses: number | null;
  uses: Generated<number>;
  /** Overrides the batch's expiry (reward vouchers: issued + validDays). */
  expires_at: Timestamp | null;
  /** Set when the voucher was voided (its reward redemption cancelled): unusable from then on. */
  voided_at: Timestamp | null;
  created_at: CreatedAt;
}

export interface VoucherRedemptionTable {
  tenant_id: string;
  id: string;
  voucher_id: string;
  member_id: string | null;
  transaction_id: string | null;
  /** Where it was used; null: no store. */
  store_id: string | null;
  amount: Generated<number>;
  status: Generated<'redeemed' | 'cancelled'>;
  actor_kind: string;
  actor_id: string | null;
  created_at: CreatedAt;
  cancelled_at: Timestamp | null;
}

export interface RewardTable {
  tenant_id: string;
  id: string;
  name: string;
  description: string | null;
  points_cost: number;
  /** Units left; null: unlimited. */
  stock: number | null;
  per_member_limit: number | null;
  tiers: string[] | null;
  starts_at: Timestamp | null;
  ends_at: Timestamp | null;
  fulfilment: 'voucher' | 'physical';
  /** {kind, value?, maxDiscount?, sku?, minSpend?, validDays} when fulfilment = 'voucher'. */
  voucher: ColumnType<Record<string, unknown> | null, string | null, string | null>;
  image: Buffer | null;
  image_type: 'image/png' | 'image/jpeg' | 'image/webp' | null;
  image_updated_at: Timestamp | null;
  status: Generated<'active' | 'archived'>;
  created_at: CreatedAt;
  updated_at: Generated<Date>;
}

export interface RewardRedemptionTable {
  tenant_id: string;
  id: string;
  reward_id: string;
  member_id: string;
  points: number;
  voucher_id: string | null;
  store_id: string | null;
  status: Generated<'issued' | 'handed_over' | 'cancelled'>;
  actor_kind: string;
  actor_id: string | null;
  created_at: CreatedAt;
  handed_over_at: Timestamp | null;
}

export type CardStatus = 'unassigned' | 'active' | 'blocked' | 'replaced';

export interface CardTable {
  tenant_id: string;
  id: string;
  /** Null while a pre-printed stock card waits at the counter ('unassigned'). */
  member_id: string | null;
  number: string;
  kid: string;
  status: Generated<CardStatus>;
  created_at: CreatedAt;
  /** The stock batch a pre-printed card was generated in; null for cards issued at sign-up or replacement. */
  batch_id: string | null;
  /** Why the card left service (a replaced card: 'lost' or 'damaged'). */
  reason: string | null;
  replaced_at: Timestamp | null;
  /** When the card was given to its member (issue or attach); null while unassigned. */
  issued_at: Timestamp | null;
  /** The rotating app code's 32-byte secret, sealed with KARTU_SECRET_KEY; null until first use on older cards. */
  rotating_secret_enc: string | null;
  /** The last time step a rotating code of this card was accepted at (no replay). */
  rotating_last_counter: number | null;
}

export interface PointAccountTable {
  tenant_id: string;
  id: string;
  member_id: string;
  balance: Generated<number>;
  pending: Generated<number>;
  debt: Generated<number>;
  lifetime_earned: Generated<number>;
  lifetime_redeemed: Generated<number>;
  updated_at: Generated<Date>;
}

export type EntryKind = 'earn' | 'redeem' | 'expire' | 'adjust' | 'reverse' | 'return' | 'bonus' | 'debt' | 'repay' | 'opening';

export interface PointEntryTable {
  tenant_id: string;
  id: string;
  account_id: string;
  kind: EntryKind;
  bucket: Generated<'balance' | 'pending' | 'debt'>;
  points: number;
  balance_after: number;
  transaction_id: string | null;
  reference: string | null;
  note: string | null;
  actor_kind: string;
  actor_id: string | null;
  created_at: CreatedAt;
}

export interface PointLotTable {
  tenant_id: string;
  id: string;
  account_id: string;
  entry_id: string;
  status: Generated<'posted' | 'pending'>;
  points: number;
  remaining: number;
  expires_at: Timestamp | null;
  transaction_id: string | null;
  available_at: Timestamp | null;
  expired: Generated<number>;
  reversed: Generated<number>;
  created_at: CreatedAt;
}

export interface EarningRuleTable {
  tenant_id: string;
  id: string;
  name: string;
  status: Generated<'active' | 'paused'>;
  priority: Generated<number>;
  exclusivity_group: string | null;
  conditions: ColumnType<Record<string, unknown>, string | undefined, string>;
  effect: ColumnType<Record<string, unknown>, string, string>;
  created_at: CreatedAt;
  updated_at: Generated<Date>;
}

export interface RefundTable {
  tenant_id: string;
  id: string;
  transaction_id: string;
  amount: number;
  points_reversed: Generated<number>;
  points_returned: Generated<number>;
  debt_added: Generated<number>;
  actor_kind: string;
  actor_id: string | null;
  created_at: CreatedAt;
}

export interface RefundLineTable {
  tenant_id: string;
  refund_id: string;
  line_id: string;
  quantity: number;
  amount: number;
  points: Generated<number>;
}

export interface TransactionTable {
  tenant_id: string;
  id: string;
  member_id: string | null;
  store_id: string | null;
  receipt_no: string;
  channel: 'store' | 'online';
  occurred_at: Timestamp;
  subtotal: number;
  discount: Generated<number>;
  points_value: Generated<number>;
  total: number;
  points_earned: Generated<number>;
  points_redeemed: Generated<number>;
  status: Generated<'posted' | 'voided'>;
  points_reversed: Generated<number>;
  points_returned: Generated<number>;
  /** Expired points of the sale set off against its refunds: neither reversed nor owed. */
  points_forgiven: Generated<number>;
  refunded_amount: Generated<number>;
  claimed_at: Timestamp | null;
  voided_at: Timestamp | null;
  shipping_fee: Generated<number>;
  shipping_discount: Generated<number>;
  actor_kind: string;
  actor_id: string | null;
  created_at: CreatedAt;
}

export interface TransactionLineTable {
  tenant_id: string;
  id: string;
  transaction_id: string;
  line_no: number;
  sku: string;
  name: string | null;
  category: string | null;
  quantity: number;
  unit_price: number;
  amount: number;
  points: Generated<number>;
  refunded_quantity: Generated<number>;
  /** The line's share of the sale's goods discounts (promotions and vouchers). */
  discount: Generated<number>;
}

export interface IdempotencyKeyTable {
  tenant_id: string;
  caller: string;
  route: string;
  key: string;
  request_hash: string;
  status: 'in_progress' | 'done';
  response_status: number | null;
  response_body: ColumnType<unknown, string | null, string | null>;
  created_at: CreatedAt;
}

export interface OtpCodeTable {
  tenant_id: string;
  id: string;
  phone: string;
  code_hash: Buffer;
  attempts: Generated<number>;
  expires_at: Timestamp;
  consumed_at: Timestamp | null;
  created_at: CreatedAt;
}

export interface PresenceCodeTable {
  tenant_id: string;
  id: string;
  member_id: string;
  store_id: string | null;
  code_hash: Buffer;
  attempts: Generated<number>;
  expires_at: Timestamp;
  consumed_at: Timestamp | null;
  created_at: CreatedAt;
}

export interface OutboxMessageTable {
  tenant_id: string;
  id: string;
  channel: 'sms' | 'whatsapp' | 'email';
  recipient: string;
  purpose: string;
  body: string;
  secret: string | null;
  status: Generated<'pending' | 'sent' | 'failed' | 'unconfigured'>;
  attempts: Generated<number>;
  last_error: string | null;
  created_at: CreatedAt;
  sent_at: Timestamp | null;
  /** The member a message is for (member messages); null for codes sent to a number. */
  member_id: string | null;
  /** An email's subject. */
  subject: string | null;
  /** Pending: when the dispatcher may (next) try it; also the lease while one process sends it. */
  next_attempt_at: Timestamp | null;
  updated_at: Generated<Date>;
}

export type MessageChannel = 'sms' | 'whatsapp' | 'email';

/** One transport per tenant and channel: SMTP for email, an HTTP gateway for WhatsApp and SMS. */
export interface MessageTransportTable {
  tenant_id: string;
  channel: MessageChannel;
  kind: 'smtp' | 'http';
  /** What may be shown (host, port, from, URL, method, header names, body template). */
  settings: ColumnType<Record<string, unknown>, string, string>;
  /** Password or header values, sealed with KARTU_SECRET_KEY. */
  secret_enc: string;
  updated_at: Generated<Date>;
}

export interface MemberStageHistoryTable {
  tenant_id: string;
  id: string;
  member_id: string;
  from_stage: LifecycleStage | null;
  to_stage: LifecycleStage;
  changed_at: CreatedAt;
}

export type ReferralRefusal = 'self_referral' | 'phone_already_rewarded' | 'referrer_monthly_cap' | 'referrer_inactive' | 'duplicate_member' | 'member_erased';

export interface ReferralTable {
  tenant_id: string;
  id: string;
  referrer_id: string;
  referee_id: string;
  status: Generated<'pending' | 'rewarded' | 'refused'>;
  reason: ReferralRefusal | null;
  transaction_id: string | null;
  referrer_points: Generated<number>;
  referee_points: Generated<number>;
  created_at: CreatedAt;
  decided_at: Timestamp | null;
}

export interface RewardedPhoneTable {
  tenant_id: string;
  purpose: 'welcome' | 'referral';
  /** HMAC of the E.164 number under the server key. */
  phone_hash: Buffer;
  created_at: CreatedAt;
}

export interface MemberFormerPhoneTable {
  tenant_id: string;
  member_id: string;
  phone_hash: Buffer;
  until: CreatedAt;
}

export interface SegmentTable {
  tenant_id: string;
  id: string;
  code: string;
  name: string;
  description: string | null;
  rules: Jsonb;
  status: Generated<'active' | 'archived'>;
  created_at: CreatedAt;
  updated_at: Generated<Date>;
}

export interface MemberRfmTable {
  tenant_id: string;
  member_id: string;
  recency_days: number;
  frequency: number;
  monetary: number;
  r: number;
  f: number;
  m: number;
  clv: number;
  computed_at: Timestamp;
}

export interface MemberMergeTable {
  tenant_id: string;
  id: string;
  survivor_id: string;
  merged_id: string;
  moved: Jsonb;
  actor_kind: string;
  actor_id: string | null;
  created_at: CreatedAt;
}

export interface OfferTable {
  tenant_id: string;
  id: string;
  name: string;
  kind: 'cross_sell' | 'up_sell';
  status: Generated<'active' | 'paused' | 'archived'>;
  /** {skus?, categories?}: bought (in the cart or recently) → the offer applies. */
  trigger: Jsonb;
  /** {sku?, category?, name?}: what is suggested. */
  suggestion: Jsonb;
  /** {id, en} */
  message: Jsonb;
  /** Personal voucher terms {kind, value?, maxDiscount?, sku?, minSpend?, validDays}, issued on the first showing. */
  voucher: ColumnType<Record<string, unknown> | null, string | null, string | null>;
  bonus_points: number | null;
  segment_code: string | null;
  starts_at: Timestamp;
  ends_at: Timestamp;
  max_shows: Generated<number>;
  cap_days: Generated<number>;
  conversion_days: Generated<number>;
  priority: Generated<number>;
  /** The mined figures the offer was made from (support, confidence, lift…), if any. */
  mined: ColumnType<Record<string, unknown> | null, string | null, string | null>;
  created_at: CreatedAt;
  updated_at: Generated<Date>;
}

export interface OfferImpressionTable {
  tenant_id: string;
  id: string;
  offer_id: string;
  member_id: string;
  channel: 'till' | 'app' | 'online' | 'message';
  store_id: string | null;
  voucher_id: string | null;
  shown_at: Generated<Date>;
  converted_at: Timestamp | null;
  conversion_transaction_id: string | null;
  revenue: Generated<number>;
}

export type FeedbackKind = 'rating' | 'complaint' | 'suggestion';
export type FeedbackStatus = 'open' | 'in_progress' | 'resolved';

/** A member's rating of a visit, complaint or suggestion, worked in the portal's inbox (issue 8). */
export interface FeedbackThreadTable {
  tenant_id: string;
  id: string;
  member_id: string;
  kind: FeedbackKind;
  /** 1–5 for a rating, null otherwise. */
  rating: number | null;
  /** The member's text: a rating's optional comment, a complaint's or suggestion's text. */
  body: string | null;
  store_id: string | null;
  /** The member's own sale a rating is about (rated once). */
  transaction_id: string | null;
  status: Generated<FeedbackStatus>;
  assignee_id: string | null;
  first_reply_at: Timestamp | null;
  resolved_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Generated<Date>;
}

export interface FeedbackMessageTable {
  tenant_id: string;
  id: string;
  thread_id: string;
  author_kind: 'member' | 'staff';
  staff_id: string | null;
  body: string;
  created_at: Timestamp;
  /** A staff reply: the outbox message that carries it to the member, or why none was queued. */
  outbox_message_id: string | null;
  not_sent_reason: string | null;
}

export type AutomationTriggerKind =
  | 'sign_up' | 'first_purchase' | 'birthday' | 'inactive' | 'points_expiring' | 'tier_change' | 'category_purchase' | 'segment_entry';

/** A trigger and its actions (issue 8): bonus points, a personal voucher, a message in both languages. */
export interface AutomationTable {
  tenant_id: string;
  id: string;
  name: string;
  status: Generated<'active' | 'paused' | 'archived'>;
  trigger_kind: AutomationTriggerKind;
  /** The trigger's settings: {days?, categories?, direction?, segment?}. */
  trigger: ColumnType<Record<string, unknown>, string, string>;
  points: number | null;
  /** Personal voucher terms {kind, value?, maxDiscount?, sku?, minSpend?, validDays}. */
  voucher: ColumnType<Record<string, unknown> | null, string | null, string | null>;
  /** {id, en} templates. */
  message: ColumnType<{ id: string; en: string } | null, string | null, string | null>;
  /** segment_entry: when the segment's members were last taken (the first look only sets the baseline). */
  segment_seen_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: Generated<Date>;
}

/** Sign-ups, purchases and tier changes, written by database triggers in the effect's transaction. */
export interface AutomationEventTable {
  tenant_id: string;
  id: Generated<number>;
  kind: 'sign_up' | 'purchase' | 'tier_change';
  member_id: string;
  transaction_id: string | null;
  from_tier_id: string | null;
  to_tier_id: string | null;
  occurred_at: Generated<Date>;
  processed_at: Timestamp | null;
  /** Why the last attempt failed; with processed_at set, why it was given up. */
  error: string | null;
  attempts: Generated<number>;
  /** A failed event waits until then before it is tried again. */
  next_attempt_at: Timestamp | null;
}

/** What one automation did for one member on one occasion (unique): the idempotency key and the results. */
export interface AutomationRunTable {
  tenant_id: string;
  id: string;
  automation_id: string;
  member_id: string;
  occasion: string;
  points: Generated<number>;
  voucher_id: string | null;
  message_status: 'queued' | 'skipped' | null;
  message_reason: string | null;
  message_id: string | null;
  created_at: CreatedAt;
}

export interface AutomationSegmentMemberTable {
  tenant_id: string;
  automation_id: string;
  member_id: string;
}

export type MemberImportStatus = 'processing' | 'done' | 'failed';

export interface MemberImportTable {
  tenant_id: string;
  id: string;
  status: Generated<MemberImportStatus>;
  file_name: string | null;
  headers: string[];
  mapping: ColumnType<Record<string, string>, string, string>;
  rows_total: Generated<number>;
  rows_processed: Generated<number>;
  created: Generated<number>;
  updated: Generated<number>;
  skipped: Generated<number>;
  failed: Generated<number>;
  error: string | null;
  actor_kind: string;
  actor_id: string | null;
  created_at: CreatedAt;
  finished_at: Timestamp | null;
  /** The whole file was read into staged rows; only then are the rows worked. */
  staged_at: Timestamp | null;
  /** The last batch worked (or the staging finished): a processing import quiet for long has stalled. */
  progress_at: Timestamp | null;
  /** The staged rows were deleted after the retention period; errors.csv is gone. */
  rows_deleted_at: Timestamp | null;
}

/** One data row of an imported file: the original cells, the values read from them, and what became of it. */
export interface MemberImportRowTable {
  tenant_id: string;
  import_id: string;
  /** The line in the file as a spreadsheet numbers it (the header is 1). */
  row_no: number;
  original: string[];
  phone: string | null;
  name: string | null;
  email: string | null;
  birth_date: string | null;
  external_id: string | null;
  opening_points: number | null;
  tags: string[] | null;
  marketing_opt_in: boolean | null;
  error_field: string | null;
  error_message: string | null;
  outcome: 'created' | 'updated' | 'unchanged' | 'failed' | null;
  member_id: string | null;
}

/** An opening balance credited by an import, once per import key (external id or phone). */
export interface MemberOpeningBalanceTable {
  tenant_id: string;
  import_key: string;
  member_id: string;
  points: number;
  entry_id: string;
  import_id: string;
  created_at: CreatedAt;
}

/** A tenant's webhook subscription; the signing secret is sealed with KARTU_SECRET_KEY. */
export interface WebhookTable {
  tenant_id: string;
  id: string;
  url: string;
  /** Event types, or ['*'] for all. */
  events: string[];
  description: string | null;
  active: Generated<boolean>;
  secret_enc: string;
  created_at: CreatedAt;
  updated_at: Generated<Date>;
}

export type WebhookDeliveryStatus = 'pending' | 'retrying' | 'succeeded' | 'failed';

/** One event for one subscription (the outbox); `body` is the JSON exactly as it is sent and signed. */
export interface WebhookDeliveryTable {
  tenant_id: string;
  id: string;
  webhook_id: string;
  event_id: string;
  event: string;
  body: string;
  status: Generated<WebhookDeliveryStatus>;
  attempts: Generated<number>;
  last_status: number | null;
  last_error: string | null;
  /** Pending or retrying: when it may (next) be sent. */
  next_attempt_at: Timestamp | null;
  /** While one process sends it: nobody else may claim it before this. */
  leased_until: Timestamp | null;
  created_at: CreatedAt;
  delivered_at: Timestamp | null;
}

export interface WebhookAttemptTable {
  tenant_id: string;
  delivery_id: string;
  attempt: number;
  started_at: Timestamp;
  duration_ms: number;
  response_status: number | null;
  error: string | null;
}

export interface DB {
  tenants: TenantTable;
  stores: StoreTable;
  staff: StaffTable;
  sessions: SessionTable;
  api_keys: ApiKeyTable;
  audit_log: AuditLogTable;
  tiers: TierTable;
  members: MemberTable;
  member_name_words: MemberNameWordTable;
  card_keys: CardKeyTable;
  cards: CardTable;
  point_accounts: PointAccountTable;
  point_entries: PointEntryTable;
  point_lots: PointLotTable;
  earning_rules: EarningRuleTable;
  refunds: RefundTable;
  refund_lines: RefundLineTable;
  transactions: TransactionTable;
  transaction_lines: TransactionLineTable;
  idempotency_keys: IdempotencyKeyTable;
  otp_codes: OtpCodeTable;
  presence_codes: PresenceCodeTable;
  outbox_messages: OutboxMessageTable;
  wallet_issuers: WalletIssuerTable;
  promotions: PromotionTable;
  voucher_batches: VoucherBatchTable;
  vouchers: VoucherTable;
  voucher_redemptions: VoucherRedemptionTable;
  rewards: RewardTable;
  reward_redemptions: RewardRedemptionTable;
  member_stage_history: MemberStageHistoryTable;
  referrals: ReferralTable;
  rewarded_phones: RewardedPhoneTable;
  member_former_phones: MemberFormerPhoneTable;
  segments: SegmentTable;
  member_rfm: MemberRfmTable;
  member_merges: MemberMergeTable;
  offers: OfferTable;
  offer_impressions: OfferImpressionTable;
  automations: AutomationTable;
  automation_events: AutomationEventTable;
  automation_runs: AutomationRunTable;
  automation_segment_members: AutomationSegmentMemberTable;
  message_transports: MessageTransportTable;
  feedback_threads: FeedbackThreadTable;
  feedback_messages: FeedbackMessageTable;
  member_imports: MemberImportTable;
  member_import_rows: MemberImportRowTable;
  member_opening_balances: MemberOpeningBalanceTable;
  webhooks: WebhookTable;
  webhook_deliveries: WebhookDeliveryTable;
  webhook_attempts: WebhookAttemptTable;
  products: ProductTable;
  rate_limits: RateLimitTable;
}

/** The catalogue the till and POS look SKUs up in; `sku` is unique per tenant regardless of case. */
export interface ProductTable {
  tenant_id: string;
  id: string;
  sku: string;
  name: string;
  category: string | null;
  /** Minor units; null when the price is typed at the till. */
  unit_price: number | null;
  active: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: Generated<Date>;
}

/** Rate-limit counters shared by the API processes (rate-limiter-flexible's layout; no tenant: see 0026). */
export interface RateLimitTable {
  key: string;
  points: Generated<number>;
  /** The window's end, epoch milliseconds. */
  expire: number | null;
}
