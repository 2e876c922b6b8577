import { sql, type Kysely } from 'kysely';

// Member imports (issues 9 and 11): a CSV is streamed into staged rows (validated on the way in),
// then worked in set-based batches with the progress kept on the import. Opening balances are
// ledger entries of their own kind, credited once per (tenant, import key) — the key row is
// written in the same transaction as the entry, so a re-run of the same file credits nothing twice.
const up_statements = [
  `create table member_imports (
     tenant_id uuid not null references tenants (id),
     id uuid not null,
     status text not null default 'processing' check (status in ('processing', 'done', 'failed')),
     file_name text,
     headers text[] not null,
     mapping jsonb not null,
     rows_total int not null default 0,
     rows_processed int not null default 0,
     created int not null default 0,
     updated int not null default 0,
     skipped int not null default 0,
     failed int not null default 0,
     error text,
     actor_kind text not null,
     actor_id uuid,
     created_at timestamptz not null default now(),
     finished_at timestamptz,
     primary key (tenant_id, id)
   )`,
  `create index member_imports_recent on member_imports (tenant_id, id desc)`,

  // row_no is the line in the file as a spreadsheet numbers it (the header is 1).
  `create table member_import_rows (
     tenant_id uuid not null,
     import_id uuid not null,
     row_no int not null,
     original text[] not null,
     phone text,
     name text,
     email text,
     birth_date date,
     external_id text,
     opening_points int8 check (opening_points >= 0),
     tags text[],
     marketing_opt_in boolean,
     error_field text,
     error_message text,
     outcome text check (outcome in ('created', 'updated', 'unchanged', 'failed')),
     member_id uuid,
     primary key (tenant_id, import_id, row_no),
     foreign key (tenant_id, import_id) references member_imports (tenant_id, id) on delete cascade,
     check ((error_field is null) = (error_message is null))
   )`,
  `create index member_import_rows_errors on member_import_rows (tenant_id, import_id, row_no) where error_field is not null`,

  `create table member_opening_balances (
     tenant_id uuid not null references tenants (id),
     import_key text not null,
     member_id uuid not null,
     points int8 not null check (points > 0),
     entry_id uuid not null,
     import_id uuid not null,
     created_at timestamptz not null default now(),
     primary key (tenant_id, import_key),
     foreign key (tenant_id, member_id) references members (tenant_id, id),
     foreign key (tenant_id, entry_id) references point_entries (tenant_id, id) deferrable initially deferred,
     foreign key (tenant_id, import_id) references member_imports (tenant_id, id)
   )`,

  `alter table point_entries drop constraint point_entries_kind_check`,
  `alter table point_entries add constraint point_entries_kind_check
     check (kind in ('earn', 'redeem', 'expire', 'adjust', 'reverse', 'return', 'bonus', 'debt', 'repay', 'opening'))`,

  // Imported members joined long ago, elsewhere: no sign-up automations (welcome messages, bonuses) for them.
  `create or replace function automation_member_event() returns trigger language plpgsql as $$
   begin
     if tg_op = 'INSERT' then
       if new.source <> 'import' and automation_event_wanted(new.tenant_id, array['sign_up']) then
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
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of up_statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw(`create or replace function automation_member_event() returns trigger language plpgsql as $$
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
   end $$`).execute(db);
  await sql.raw('drop table if exists member_opening_balances').execute(db);
  await sql.raw('drop table if exists member_import_rows').execute(db);
  await sql.raw('drop table if exists member_imports').execute(db);
  // Opening entries stay (the ledger is append-only), so the wider kind check stays too.
}
