import type { Tenant } from '$lib/api';

declare global {
  namespace App {
    interface Error {
      message: string;
      /** Lets the error page word a missing retailer in the current language. */
      kind?: 'tenant-not-found';
    }
    interface PageData {
      tenant?: Tenant;
    }
  }
}

export {};
