import type { Tenant } from '$lib/api';
import type { WelcomeInfo } from '$lib/welcome';

declare global {
  namespace App {
    interface Error {
      message: string;
      /** Lets the error page word a missing retailer in the current language. */
      kind?: 'tenant-not-found';
    }
    interface PageData {
      tenant?: Tenant;
      /** The join form framed on a retailer's website: no header, a transparent page. */
      embed?: boolean;
    }
    interface PageState {
      /** Set by the join form when it opens the card. */
      welcome?: WelcomeInfo;
    }
  }
}

export {};
