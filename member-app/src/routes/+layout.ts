// The app runs in the browser only: it calls the API on the same origin with the
// member's httpOnly session cookie.
export const ssr = false;
