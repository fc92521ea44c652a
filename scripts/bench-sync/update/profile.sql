-- (b) dump + restore + UPDATE: profile.
UPDATE profile
SET full_name = 'User ' || user_id,
    phone = CASE WHEN phone IS NOT NULL THEN '+1 555-01' || lpad((user_id % 100)::text, 2, '0') END,
    address = CASE WHEN address IS NOT NULL THEN user_id % 9999 + 1 || ' Main Street, Springfield' END,
    birth_date = birth_date + ((user_id * 7) % 731 - 365)::int,
    avatar_url = 'https://example.com/avatar.png';
