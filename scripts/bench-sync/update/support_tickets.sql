-- (b) dump + restore + UPDATE: support_tickets. Plain columns, the text[] element by element,
-- and the free text with regular expressions (emails, then IPv4 addresses, then phone numbers).
UPDATE support_tickets
SET requester_email = 'requester' || id || '@example.com',
    requester_name = 'Requester ' || id,
    requester_ip = CASE WHEN requester_ip IS NOT NULL THEN ('198.51.100.' || id % 254 + 1)::inet END,
    cc_emails = (SELECT array_agg('cc' || id || '.' || i || '@example.com' ORDER BY i)
                 FROM generate_subscripts(cc_emails, 1) AS i),
    body = regexp_replace(
               regexp_replace(
                   regexp_replace(body, '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}', 'someone@example.com', 'g'),
                   '\m[0-9]{1,3}(\.[0-9]{1,3}){3}\M', '192.0.2.1', 'g'),
               '\+?[0-9(][0-9 ()-]{7,}[0-9]', '555-0100', 'g');
