-- The device a session was started from, as a person names it ("Firefox
-- on Windows"), so the account page can show where one is signed in.
ALTER TABLE sessions ADD COLUMN device TEXT;
