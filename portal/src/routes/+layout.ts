// The portal runs in the browser only: it talks to the API on the same origin with the session cookie.
export const ssr = false;
