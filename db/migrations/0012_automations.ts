import { sql, type Kysely } from 'kysely';

// Automations (issue 8, part A). An automation has one trigger and one or more actions (bonus
// points, a personal voucher in a batch of origin 'automation', a message in both languages).
//
// Event triggers (sign-up, a purchase — first purchase and purchase in a category are decided
// from it —, a tier change) are recorded in automation_events by triggers on members and
// transactions, so the event is written in the same transaction as its effect whatever code path
// made it (enrolment, import, a sale, a claimed sale, the set-based tier review, a merge). Only
// tenants with an active automation of that kind record them. A job works the events off.
//
// Every action a member gets is one automation_runs row, unique per (automation, member,
// occasion) and written in the same transaction as the bonus entry, voucher and message: the
// birthday occasion is the year, so a birthday bonus happens once a year however often (or
// however interrupted) the job runs.
const up_statements = [
  `alter table tenants add column automation_message_cap int not null default 3 check (automation_message_cap between 0 and 100)`,
  `alter table tenants add column automation_cap_days int not null default 7 check (automation_cap_days between 1 and 365)`,

  `create table automations (
     tenant_id uuid not null references tenants (id),
     id uuid not null,
     name text not null check (char_length(name) between 1 and 200),
     status text not null default 'active' check (status in ('active', 'paused', 'archived')),
     trigger_kind text not null check (trigger_kind in (
       'sign_up', 'first_purchase', 'birthday', 'inactive', 'points_expiring', 'tier_change', 'category_purchase', 'segment_entry')),
     trigger jsonb not null,
     points int check (points is null or points between 1 and 1000000),
     voucher jsonb,
     message jsonb,
     segment_seen_at timestamptz,
     created_at timestamptz not null default now(),
     updated_at timestamptz not null default now(),
     primary key (tenant_id, id),
     check (points is not null or voucher is not null or message is not null)
   )`,
  `create index automations_live on automations (trigger_kind, tenant_id) where status = 'active'`,

  `create table automation_events (
     tenant_id uuid not null references tenants (id),
     id bigint generated always as identity,
     kind text not null check (kind in ('sign_up', 'purchase', 'tier_change')),
     member_id uuid not null,
     transaction_id uuid,
     from_tier_id uuid,
     to_tier_id uuid,
     occurred_at timestamptz not null default now(),
     processed_at timestamptz,
     error text,
     primary key (id)
   )`,
  `create index automation_events_open on automation_events (id) where processed_at is null`,

  `create function automation_event_wanted(t uuid, kinds text[]) returns boolean language sql stable as $$
     select exists (select 1 from automations a where a.tenant_id = t and a.status = 'active' and a.trigger_kind = any(kinds))
   $$`,
  `create function automation_member_event() returns trigger language plpgsql as $$
   begin
     if tg_op = 'INSERT' then
       if automation_event_wanted(new.tenant_id, array['sign_up']) then
         insert into automation_events (tenant_id, kind, member_id) values (new.tenant_id, 'sign_up', new.id);
       end if;
     elsif new.tier_id is distinct from old.tier_id and new.status = 'active' then
       if automation_event_wanted(new.tenant_id, array['tier_change']) then
         insert into automation_events (tenant_id, kind, member_id, from_tier_id, to_tier_id)
         values (new.tenant_id, 'tier_change', new.id, old.tier_id, new.tier_id);
       end if;
     end if;
     return null;
   end $$`,
  `create trigger members_automation_events after insert or update of tier_id on members
     for each row execute function automation_member_event()`,
  `create function automation_sale_event() returns trigger language plpgsql as $$
   begin
     if new.member_id is not null and new.status = 'posted'
        and (tg_op = 'INSERT' or old.member_id is null)
        and automation_event_wanted(new.tenant_id, array['first_purchase', 'category_purchase']) then
       insert into automation_events (tenant_id, kind, member_id, transaction_id, occurred_at)
       values (new.tenant_id, 'purchase', new.member_id, new.id, new.occurred_at);
     end if;
     return null;
   end $$`,
  `create trigger transactions_automation_events after insert or update of member_id on transactions
     for each row execute function automation_sale_event()`,

  `create table automation_runs (
     tenant_id uuid not null references tenants (id),
     id uuid not null,
     automation_id uuid not null,
     member_id uuid not null,
     occasion text not null,
     points int not null default 0,
     voucher_id uuid,
     message_status text check (message_status in ('queued', 'skipped')),
     message_reason text,
     message_id uuid,
     created_at timestamptz not null default now(),
     primary key (tenant_id, id),
     unique (tenant_id, automation_id, member_id, occasion),
     foreign key (tenant_id, automation_id) references automations (tenant_id, id),
     foreign key (tenant_id, member_id) references members (tenant_id, id),
     foreign key (tenant_id, voucher_id) references vouchers (tenant_id, id)
   )`,
  `create index automation_runs_messages on automation_runs (tenant_id, member_id, created_at) where message_status = 'queued'`,
  `create index automation_runs_results on automation_runs (tenant_id, automation_id, created_at)`,

  `create table automation_segment_members (
     tenant_id uuid not null,
     automation_id uuid not null,
     member_id uuid not null,
     primary key (tenant_id, automation_id, member_id),
     foreign key (tenant_id, automation_id) references automations (tenant_id, id)
   )`,

  `alter table voucher_batches drop constraint voucher_batches_origin_check`,
  `alter table voucher_batches add constraint voucher_batches_origin_check check (origin in ('batch', 'public', 'personal', 'reward', 'offer', 'automation'))`,
  `alter table voucher_batches add column automation_id uuid`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of up_statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of [
    'drop trigger if exists transactions_automation_events on transactions',
    'drop trigger if exists members_automation_events on members',
    'drop function if exists automation_sale_event()',
    'drop function if exists automation_member_event()',
    'drop function if exists automation_event_wanted(uuid, text[])',
    'drop table if exists automation_segment_members',
    'drop table if exists automation_runs',
    'drop table if exists automation_events',
    'drop table if exists automations',
    `alter table voucher_batches drop column automation_id, drop constraint voucher_batches_origin_check`,
    `alter table voucher_batches add constraint voucher_batches_origin_check check (origin in ('batch', 'public', 'personal', 'reward', 'offer'))`,
    'alter table tenants drop column automation_message_cap, drop column automation_cap_days',
  ]) await sql.raw(statement).execute(db);
}
