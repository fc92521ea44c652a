-- (b) dump + restore + UPDATE: "user".
UPDATE "user"
SET email = 'user' || id || '@example.com',
    hashed_password = '$2b$12$000000000000000000000uP2Qxj9Zb8qQY0RhfM3c0wL3tYtVZQyG',
    name = 'User ' || id,
    last_login_ip = CASE WHEN last_login_ip IS NOT NULL THEN ('198.51.100.' || id % 254 + 1)::inet END;
