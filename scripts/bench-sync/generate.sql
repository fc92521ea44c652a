-- Fills the benchmark's source with users :lo to :hi and everything that belongs to them.
-- bench-sync.sh runs one session of this per core, each on its own range of users, into the
-- tables of schema.sql (no indexes yet). Set-based INSERT ... SELECT generate_series, no
-- random(): the same SCALE gives the same database.
--
-- Per user, on average: 1 user, 1 profile, 1 API token, 0.5 OAuth account, 4 invoices,
-- 1 support ticket, 8 events (about 4.5 kB with indexes).
--
-- psql variables: lo, hi (first and last user id of this session).

\set ON_ERROR_STOP on
SET synchronous_commit = off;

INSERT INTO "user" (id, email, hashed_password, name, plan, is_admin, last_login_ip, created_at)
SELECT n,
       bench_gen.email(n),
       '$2b$12$' || left(translate(encode(sha256(int8send(n)), 'base64')
                                   || encode(sha256(int8send(-n)), 'base64'), '+/=', './'), 53),
       bench_gen.full_name(n),
       (ARRAY['free', 'free', 'pro', 'free', 'team'])[1 + n % 5],
       n % 10000 = 1,
       CASE WHEN n % 9 = 0 THEN NULL ELSE bench_gen.ip(n) END,
       timestamptz '2019-01-01 00:00:00+00' + n * interval '7 minutes'
FROM generate_series(:lo::bigint, :hi::bigint) AS n;

INSERT INTO profile (user_id, full_name, phone, address, birth_date, avatar_url, bio, timezone)
SELECT n,
       bench_gen.full_name(n),
       CASE WHEN n % 13 = 0 THEN NULL ELSE bench_gen.phone(n) END,
       CASE WHEN n % 17 = 0 THEN NULL
            ELSE bench_gen.street(n) || ', ' || bench_gen.city(n) || ', ' || bench_gen.zip(n) END,
       date '1950-01-01' + ((n * 7919) % 20000)::int,
       CASE WHEN n % 3 = 0 THEN NULL
            ELSE 'https://cdn.example-social.com/avatars/' || n || '-'
                 || lower(bench_gen.first_name(n)) || '.jpg' END,
       (ARRAY['Backend developer, coffee snob.', 'Product manager. Opinions are my own.',
              'Data engineer who likes long SQL queries.', 'Designer and weekend potter.',
              'Support lead.', 'Runs the on-call rotation.', '', 'Founder.',
              'Learning Rust one borrow at a time.', 'Accountant; spreadsheets are life.'])[1 + (n * 7) % 10],
       (ARRAY['America/New_York', 'America/Chicago', 'America/Los_Angeles', 'Europe/London',
              'Europe/Berlin', 'Asia/Kolkata', 'Asia/Tokyo', 'UTC'])[1 + (n * 3) % 8]
FROM generate_series(:lo::bigint, :hi::bigint) AS n;

INSERT INTO api_tokens (id, user_id, token, label, created_at, last_used_at)
SELECT n * 3 + k, n,
       'pgw_live_' || md5('api-token-' || n || '-' || k),
       (ARRAY['CI deploy', 'laptop CLI'])[k],
       timestamptz '2021-01-01 00:00:00+00' + n * interval '3 minutes',
       CASE WHEN k = 2 THEN NULL ELSE timestamptz '2025-01-01 00:00:00+00' + n * interval '1 second' END
FROM generate_series(:lo::bigint, :hi::bigint) AS n, generate_series(1, (n % 3)::int) AS k;

INSERT INTO oauth_accounts (id, user_id, provider, provider_uid, email, access_token, refresh_token, expires_at)
SELECT n, n,
       CASE WHEN n % 4 = 0 THEN 'google' ELSE 'github' END,
       CASE WHEN n % 4 = 0 THEN '1' || lpad(((n * 982451653) % 100000000000)::text, 20, '0')
            ELSE ((n * 7654321) % 900000000 + 1000000)::text END,
       bench_gen.email(n),
       CASE WHEN n % 4 = 0 THEN 'ya29.a0' || md5('access-' || n) || md5('g' || n)
            ELSE 'gho_' || left(md5('access-' || n), 36) END,
       CASE WHEN n % 4 = 0 THEN '1//0' || md5('refresh-' || n) END,
       timestamptz '2025-06-01 00:00:00+00' + n * interval '1 second'
FROM generate_series(:lo::bigint, :hi::bigint) AS n
WHERE n % 2 = 0;

INSERT INTO invoices (id, user_id, number, status, currency, amount_cents, billing_address, line_items,
                      issued_at, paid_at)
SELECT n * 4 + m, n,
       'INV-' || to_char(issued, 'YYYYMM') || '-' || lpad(n::text, 8, '0'),
       CASE WHEN m = 4 THEN 'open' WHEN (n + m) % 23 = 0 THEN 'void' ELSE 'paid' END,
       'USD',
       1900 * seats,
       jsonb_build_object('name', bench_gen.full_name(n),
                          'email', CASE WHEN n % 6 = 0 THEN 'billing' || n || '@acme-corp.com'
                                        ELSE bench_gen.email(n) END,
                          'phone', bench_gen.phone(n),
                          'line1', bench_gen.street(n),
                          'city', bench_gen.city(n),
                          'zip', bench_gen.zip(n),
                          'country', 'US'),
       jsonb_build_array(jsonb_build_object('sku', 'PRO-M', 'description', 'Pro plan (monthly)',
                                            'quantity', seats, 'unit_cents', 1900)),
       issued,
       CASE WHEN m = 4 OR (n + m) % 23 = 0 THEN NULL ELSE issued + (n % 5 + 1) * interval '1 day' END
FROM generate_series(:lo::bigint, :hi::bigint) AS n,
     generate_series(1, 4) AS m,
     LATERAL (SELECT timestamptz '2025-01-01 00:00:00+00' + (m - 1) * interval '1 month'
                     + n % 86400 * interval '1 second' AS issued,
                     1 + (n % 4)::int AS seats) AS x;

INSERT INTO support_tickets (id, user_id, requester_email, requester_name, requester_ip, cc_emails, subject,
                             body, status, created_at)
SELECT n * 2 + k, n,
       bench_gen.email(n),
       bench_gen.full_name(n),
       bench_gen.ip(n + k),
       CASE WHEN n % 4 = 0 THEN ARRAY[bench_gen.email(n + 1), bench_gen.email(n + 2)]
            WHEN n % 4 = 1 THEN ARRAY[bench_gen.email(n + 3)] END,
       (ARRAY['Cannot log in', 'Invoice question', 'Please delete my account', 'Bug in export',
              'Change billing address'])[1 + (n + k) % 5],
       'Hi team,' || chr(10) || chr(10)
       || (ARRAY['I cannot log in since yesterday, the reset link never arrives.',
                 'Our last invoice was charged twice, can you refund one of them?',
                 'Please delete my account and all my data (GDPR).',
                 'The CSV export drops the last column when a value contains a tab.',
                 'We moved offices, please update our billing details.'])[1 + (n + k) % 5]
       || ' My account email is ' || bench_gen.email(n) || ' and you can reach me at '
       || bench_gen.phone(n) || ' during office hours.' || chr(10)
       || CASE WHEN n % 3 = 0 THEN 'Our new address: ' || bench_gen.street(n + 5) || ', '
                                   || bench_gen.city(n + 5) || '. ' ELSE '' END
       || CASE WHEN n % 5 = 0 THEN 'Please also copy my colleague ' || bench_gen.full_name(n + 1)
                                   || ' <' || bench_gen.email(n + 1) || '>. ' ELSE '' END
       || 'Connecting from ' || host(bench_gen.ip(n + k)) || '.' || chr(10) || chr(10)
       || 'Thanks,' || chr(10) || bench_gen.first_name(n),
       (ARRAY['open', 'pending', 'solved', 'solved', 'closed'])[1 + (n * k) % 5],
       timestamptz '2024-01-01 00:00:00+00' + n * interval '90 seconds' + k * interval '1 day'
FROM generate_series(:lo::bigint, :hi::bigint) AS n, generate_series(1, (n % 3)::int) AS k;

INSERT INTO events (id, user_id, kind, properties, occurred_at)
SELECT n * 8 + e, n,
       (ARRAY['page_view', 'page_view', 'page_view', 'click', 'search', 'export', 'login'])[1 + (n + e) % 7],
       jsonb_build_object('path', (ARRAY['/dashboard', '/settings', '/invoices', '/reports/weekly',
                                         '/projects', '/search'])[1 + (n * e) % 6],
                          'ms', (n * e * 31) % 900 + 20,
                          'client', (ARRAY['web', 'ios', 'android'])[1 + (n + e) % 3]),
       timestamptz '2025-01-01 00:00:00+00' + n * interval '13 seconds' + e * interval '17 minutes'
FROM generate_series(:lo::bigint, :hi::bigint) AS n, generate_series(1, 8) AS e;
