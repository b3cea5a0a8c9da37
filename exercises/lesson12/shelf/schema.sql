-- Shelf's tables, and the three items a new shelf starts with.
-- Running this file deletes every item: `flask --app shelf init-db` does it on purpose.
DROP TABLE IF EXISTS tag;
DROP TABLE IF EXISTS item;
DROP TABLE IF EXISTS user;

-- password holds a hash from generate_password_hash, never the password itself.
CREATE TABLE user (
  id INTEGER PRIMARY KEY,
  username TEXT UNIQUE NOT NULL,
  password TEXT NOT NULL
);

-- owner_id is the user who saved the item; the starter items belong to nobody.
CREATE TABLE item (
  id INTEGER PRIMARY KEY,
  title TEXT NOT NULL,
  url TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'unread',
  owner_id INTEGER REFERENCES user (id),
  created TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- One row per (item, tag): "the items tagged python" becomes a query instead of a loop.
CREATE TABLE tag (
  item_id INTEGER NOT NULL REFERENCES item (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  PRIMARY KEY (item_id, name)
);

INSERT INTO item (id, title, url) VALUES
  (1, 'Flask docs', 'https://flask.palletsprojects.com/'),
  (2, 'PEP 3333', 'https://peps.python.org/pep-3333/'),
  (3, 'Jinja docs', 'https://jinja.palletsprojects.com/');

INSERT INTO tag (item_id, name) VALUES
  (1, 'python'), (1, 'flask'),
  (2, 'python'), (2, 'wsgi'),
  (3, 'python'), (3, 'templates');
