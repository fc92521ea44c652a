-- Placeholder demo database (replaced by the full demo dataset).
CREATE TABLE "user" (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL UNIQUE,
    hashed_password text NOT NULL,
    name text,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE api_tokens (
    id bigserial PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES "user",
    token text NOT NULL UNIQUE
);
CREATE TABLE oauth_accounts (
    id bigserial PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES "user",
    provider text NOT NULL,
    provider_uid text NOT NULL,
    access_token text,
    refresh_token text,
    email text
);
CREATE TABLE profile (
    user_id bigint PRIMARY KEY REFERENCES "user",
    full_name text,
    phone text,
    address text,
    birth_date date,
    avatar_url text
);
INSERT INTO "user" (email, hashed_password, name)
SELECT lower(f) || '.' || lower(l) || i || '@gmail.com', '$2b$12$' || md5(i::text), f || ' ' || l
FROM generate_series(1, 200) i,
     LATERAL (SELECT (ARRAY['Alice','Bruno','Chloe','Dmitri','Emma','Farid'])[1 + i % 6] AS f,
                     (ARRAY['Martin','Novak','Okafor','Schmidt','Tanaka'])[1 + i % 5] AS l) n;
INSERT INTO api_tokens (user_id, token) SELECT id, 'tok_' || md5('t' || id) FROM "user";
INSERT INTO oauth_accounts (user_id, provider, provider_uid, access_token, refresh_token, email)
SELECT id, 'github', (1000000 + id)::text, 'gho_' || md5('a' || id), 'ghr_' || md5('r' || id), email FROM "user";
INSERT INTO profile (user_id, full_name, phone, address, birth_date, avatar_url)
SELECT id, name, '+1 415 555 ' || lpad(id::text, 4, '0'), id || ' Market Street, San Francisco',
       date '1980-01-01' + (id * 37 % 9000)::int, 'https://cdn.example.org/avatars/' || id || '.png'
FROM "user";
