-- Which cluster this is: unique per initdb. Needs the pg_control_system() privilege (PUBLIC by default).
SELECT system_identifier::text FROM pg_control_system()
