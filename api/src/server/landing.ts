export const landingPage = (demo: boolean) => `<!doctype html>
<html lang="id">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Kartu</title>
  <style>
    body { font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; color: #134e4a; }
    a { display: block; margin: .75rem 0; padding: 1rem; border: 1px solid #99f6e4; border-radius: .75rem; color: inherit; text-decoration: none; }
    a:hover, a:focus { background: #f0fdfa; }
    small { color: #5f6f6e; }
  </style>
</head>
<body>
  <h1>Kartu</h1>
  <p>Program loyalitas dan kartu member untuk toko Anda. <small>Loyalty and membership cards for your shop.</small></p>
  <a href="/portal/">Portal — kasir, member, program <small>(till, members, programs)</small></a>
  <a href="/app/">Aplikasi member <small>(member app)</small></a>
  <a href="/api/docs">API docs</a>
  ${demo ? '<p><small>Mode demo: masuk sebagai owner@demo.kartu, marketer@demo.kartu atau cashier@demo.kartu, kata sandi kartu-demo.</small></p>' : ''}
</body>
</html>`;
