-- After generate.sql: keys, indexes and foreign keys (built once, over the loaded data, as a
-- restore does), identity sequences moved past the generated ids, the generator's helpers
-- dropped, statistics and visibility map up to date (so no autovacuum runs during the timings).

\set ON_ERROR_STOP on
SET maintenance_work_mem = '512MB';

ALTER TABLE "user" ADD PRIMARY KEY (id), ADD UNIQUE (email);
ALTER TABLE api_tokens ADD PRIMARY KEY (id), ADD UNIQUE (token);
ALTER TABLE oauth_accounts ADD PRIMARY KEY (id), ADD UNIQUE (provider, provider_uid);
ALTER TABLE profile ADD PRIMARY KEY (user_id);
ALTER TABLE invoices ADD PRIMARY KEY (id), ADD UNIQUE (number);
ALTER TABLE support_tickets ADD PRIMARY KEY (id);
ALTER TABLE events ADD PRIMARY KEY (id);

CREATE INDEX api_tokens_user_id_idx ON api_tokens (user_id);
CREATE INDEX oauth_accounts_user_id_idx ON oauth_accounts (user_id);
CREATE INDEX invoices_user_id_idx ON invoices (user_id);
CREATE INDEX support_tickets_user_id_idx ON support_tickets (user_id);
CREATE INDEX support_tickets_requester_email_idx ON support_tickets (requester_email);
CREATE INDEX events_user_id_occurred_at_idx ON events (user_id, occurred_at);

ALTER TABLE api_tokens ADD FOREIGN KEY (user_id) REFERENCES "user" (id) ON DELETE CASCADE;
ALTER TABLE oauth_accounts ADD FOREIGN KEY (user_id) REFERENCES "user" (id) ON DELETE CASCADE;
ALTER TABLE profile ADD FOREIGN KEY (user_id) REFERENCES "user" (id) ON DELETE CASCADE;
ALTER TABLE invoices ADD FOREIGN KEY (user_id) REFERENCES "user" (id);
ALTER TABLE support_tickets ADD FOREIGN KEY (user_id) REFERENCES "user" (id) ON DELETE SET NULL;
ALTER TABLE events ADD FOREIGN KEY (user_id) REFERENCES "user" (id) ON DELETE CASCADE;

SELECT setval(pg_get_serial_sequence('"user"', 'id'), (SELECT coalesce(max(id), 0) + 1 FROM "user"), false);
SELECT setval(pg_get_serial_sequence('api_tokens', 'id'), (SELECT coalesce(max(id), 0) + 1 FROM api_tokens), false);
SELECT setval(pg_get_serial_sequence('oauth_accounts', 'id'), (SELECT coalesce(max(id), 0) + 1 FROM oauth_accounts), false);
SELECT setval(pg_get_serial_sequence('invoices', 'id'), (SELECT coalesce(max(id), 0) + 1 FROM invoices), false);
SELECT setval(pg_get_serial_sequence('support_tickets', 'id'), (SELECT coalesce(max(id), 0) + 1 FROM support_tickets), false);
SELECT setval(pg_get_serial_sequence('events', 'id'), (SELECT coalesce(max(id), 0) + 1 FROM events), false);

DROP SCHEMA bench_gen CASCADE;

VACUUM (FREEZE, ANALYZE);
CHECKPOINT;
