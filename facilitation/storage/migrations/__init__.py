"""The schema of the SQLite database, as numbered SQL files applied in order.

`NNNN_what.sql` brings a database to schema version NNNN. At start-up the store applies, in
one transaction, those above the version the file records in `meta`. A shipped file is never
edited: files people already have were built by it. A change is a new file.

Foreign keys are on while they run (`PRAGMA foreign_keys` cannot change inside a
transaction): a migration that rebuilds a table others refer to starts with
`PRAGMA defer_foreign_keys = ON`, so that they are checked at the commit.
"""
