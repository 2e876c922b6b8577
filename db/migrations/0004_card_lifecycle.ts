import { sql, type Kysely } from 'kysely';

// Card lifecycle: replacement (lost, damaged), block and unblock, and pre-printed card stock.
// A stock card has no member until a cashier attaches it ('unassigned'); every other card has one.
// A member has at most one current card (active or blocked); replaced cards stay as history.
const up_statements = [
  `alter table cards alter column member_id drop not null`,
  `alter table cards drop constraint cards_status_check`,
  `alter table cards add constraint cards_status_check check (status in ('unassigned', 'active', 'blocked', 'replaced'))`,
  `alter table cards
     add column batch_id uuid,
     add column reason text check (reason is null or char_length(reason) <= 200),
     add column replaced_at timestamptz,
     add column issued_at timestamptz`,
  `update cards set issued_at = created_at`,
  `alter table cards add constraint cards_assigned_check
     check ((status = 'unassigned' and member_id is null and issued_at is null)
         or (status <> 'unassigned' and member_id is not null and issued_at is not null))`,
  `alter table cards add constraint cards_replaced_check check (replaced_at is null or status = 'replaced')`,
  `create unique index cards_one_current_per_member on cards (tenant_id, member_id) where status in ('active', 'blocked')`,
  `create index cards_member on cards (tenant_id, member_id, issued_at desc) where member_id is not null`,
  `create index cards_batch on cards (tenant_id, batch_id, number) where batch_id is not null`,
];

const down_statements = [
  `drop index cards_batch`,
  `drop index cards_member`,
  `drop index cards_one_current_per_member`,
  `delete from cards where status = 'unassigned'`,
  `alter table cards drop constraint cards_replaced_check`,
  `alter table cards drop constraint cards_assigned_check`,
  `alter table cards drop column batch_id, drop column reason, drop column replaced_at, drop column issued_at`,
  `alter table cards drop constraint cards_status_check`,
  `alter table cards add constraint cards_status_check check (status in ('active', 'blocked', 'replaced'))`,
  `alter table cards alter column member_id set not null`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of up_statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of down_statements) await sql.raw(statement).execute(db);
}
