"""The staff web foundation shared by central and conalep (server-rendered Jinja2 pages).

Each program keeps its own database, account table, roles and pages; this package gives the
logic they share so neither copies the other:

- :mod:`foundation.web.refusal` — the refusal every layer raises (status, code, Spanish text);
- :mod:`foundation.web.accounts` — the account columns (SQLAlchemy mixin) and the password
  policy: scrypt hashes, lockout after wrong passwords, must-change after a reset;
- :mod:`foundation.web.session` — the HMAC-signed session cookie, CSRF tokens on forms, the
  signed-in dependency (the role/scope hook: each program builds its own user object);
- :mod:`foundation.web.pages` — the base layout, CSS, error pages and the route class that
  turns refusals into HTML;
- :mod:`foundation.web.downloads` — XLSX workbooks and PDF tables as downloads.
"""
