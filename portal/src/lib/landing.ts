import { resolve } from '$app/paths';
import { can, type Role } from './permissions';

/** Where staff land after signing in: cashiers on the till, those who read reports on the dashboard. */
export function landingPath(role: Role): string {
  if (role === 'cashier') return resolve('/till');
  return can(role, 'reports.read') ? resolve('/dashboard') : resolve('/members');
}
