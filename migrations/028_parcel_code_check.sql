-- The rule on a parcel's code (001) without its regular expression: 1-64
-- characters, neither the first nor the last a space. PostgreSQL's regex
-- engine ran '^\S(.{0,62}\S)?$' at about 15 µs a row, half the time of a
-- bulk INSERT into parcels (the import's write, the seed's COPY); the two
-- one-character tests cost about a tenth of it. '.' matches any character
-- (newlines too) in PostgreSQL, so only the length and the ends count, and
-- \S keeps its meaning by testing those characters with the same class.
-- The constraint keeps its name; existing rows are checked again.
ALTER TABLE parcels DROP CONSTRAINT parcels_code_check,
  ADD CONSTRAINT parcels_code_check CHECK (length(code) <= 64 AND left(code, 1) ~ '\S' AND right(code, 1) ~ '\S');
