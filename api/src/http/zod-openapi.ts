// Imported first by app.ts: zod schemas made before this runs have no `.openapi()`.
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

extendZodWithOpenApi(z);
