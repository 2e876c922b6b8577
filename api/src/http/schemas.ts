import { z } from 'zod';

export const IdParams = z.object({ id: z.uuid() });
export const CursorQuery = z.object({ cursor: z.uuid().optional() });
export const Minor = z.number().int().min(0).max(1e13).meta({ description: 'Integer minor units (IDR: Rp 1 = 100)' });
export const Points = z.number().int().positive().max(1e12);

export const page = <T extends z.ZodType>(item: T, id: string) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() }).meta({ id });
