import { sql, type Kysely } from 'kysely';

// Listen (issue 8, part C): members rate a visit (1–5, optionally a store and one of their own
// sales) or send a complaint or a suggestion; staff work them in the portal's inbox (status,
// assignee, replies). The thread keeps the first staff reply's time for the response-time figures.
const up_statements = [
  `create table feedback_threads (
     tenant_id uuid not null references tenants (id),
     id uuid not null,
     member_id uuid not null,
     kind text not null check (kind in ('rating', 'complaint', 'suggestion')),
     rating smallint check (rating between 1 and 5),
     body text check (char_length(body) between 1 and 2000),
     store_id uuid,
     transaction_id uuid,
     status text not null default 'open' check (status in ('open', 'in_progress', 'resolved')),
     assignee_id uuid,
     first_reply_at timestamptz,
     resolved_at timestamptz,
     created_at timestamptz not null default now(),
     updated_at timestamptz not null default now(),
     primary key (tenant_id, id),
     foreign key (tenant_id, member_id) references members (tenant_id, id),
     foreign key (tenant_id, store_id) references stores (tenant_id, id),
     foreign key (tenant_id, transaction_id) references transactions (tenant_id, id),
     foreign key (tenant_id, assignee_id) references staff (tenant_id, id),
     check ((kind = 'rating') = (rating is not null)),
     check (kind = 'rating' or body is not null),
     check (kind = 'rating' or transaction_id is null)
   )`,
  // A sale is rated once.
  `create unique index feedback_threads_sale on feedback_threads (tenant_id, transaction_id) where transaction_id is not null`,
  `create index feedback_threads_inbox on feedback_threads (tenant_id, status, id desc)`,
  `create index feedback_threads_member on feedback_threads (tenant_id, member_id, id desc)`,
  `create index feedback_threads_created on feedback_threads (tenant_id, created_at)`,

  `create table feedback_messages (
     tenant_id uuid not null references tenants (id),
     id uuid not null,
     thread_id uuid not null,
     author_kind text not null check (author_kind in ('member', 'staff')),
     staff_id uuid,
     body text not null check (char_length(body) between 1 and 2000),
     created_at timestamptz not null default now(),
     primary key (tenant_id, id),
     foreign key (tenant_id, thread_id) references feedback_threads (tenant_id, id),
     foreign key (tenant_id, staff_id) references staff (tenant_id, id),
     check ((author_kind = 'staff') = (staff_id is not null))
   )`,
  `create index feedback_messages_thread on feedback_messages (tenant_id, thread_id, id)`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of up_statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw('drop table if exists feedback_messages').execute(db);
  await sql.raw('drop table if exists feedback_threads').execute(db);
}
