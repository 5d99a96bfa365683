-- Its first statements work; the last one fails, so none of it may stay.
CREATE TABLE half_written (id BIGINT PRIMARY KEY);
INSERT INTO kept (id) VALUES (2);
INSERT INTO no_such_table (id) VALUES (3);
