-- (b) dump + restore + UPDATE: oauth_accounts.
UPDATE oauth_accounts
SET provider_uid = md5('bench-salt' || provider_uid),
    email = 'user' || user_id || '@example.com',
    access_token = NULL,
    refresh_token = NULL;
