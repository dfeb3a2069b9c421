-- When an account's last failed sign-in was: each further failure within
-- the lockout window makes the next attempt wait longer (2, 4, 8 seconds)
-- before the fifth locks it (`domain::access::users::Lockout::wait_until`).
ALTER TABLE users ADD COLUMN last_failure_at TIMESTAMPTZ;
