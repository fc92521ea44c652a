-- (b) dump + restore + UPDATE: invoices. The jsonb billing address, key by key.
UPDATE invoices
SET billing_address = billing_address
    || jsonb_build_object('name', 'Customer ' || user_id,
                          'email', 'customer' || id || '@example.com',
                          'phone', '+1 555-0100',
                          'line1', id % 9999 + 1 || ' Main Street',
                          'city', 'Springfield',
                          'zip', lpad((id % 99999)::text, 5, '0'));
