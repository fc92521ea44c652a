-- (b) dump + restore + UPDATE: api_tokens.
UPDATE api_tokens SET token = 'pgw_live_' || md5('bench-salt' || token);
