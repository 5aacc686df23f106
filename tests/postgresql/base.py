"""The test suite's PostgreSQL backend: Django's, except that emptying the database between
transactional tests (browser tests, races) deletes the rows instead of truncating the tables.

pytest-django empties every table after each transactional test with Django's `flush`, which on
PostgreSQL is one `TRUNCATE` of all ~90 tables: each truncated table gets a new file on disk, about
0.4 s a test on an idle machine and 1-2.5 s on a busy one, for a few rows. `DELETE FROM` on a table of
a few rows costs a fraction of a millisecond. All of the schema's foreign keys are deferrable and
checked at commit (Django creates them so, and `test_the_flush_leaves_every_table_empty` checks the
flush empties everything), so the tables can be emptied in any order inside the flush's transaction.
Sequences are reset as Django's would be when asked (`reset_sequences`), by Django's own statement.

It also makes a `serialized_rollback` test independent of what ran before it in the process. Such a
test starts by writing back the rows migrations made, content types and permissions included, under
their first ids; after a plain transactional test, whose flush let Django write the content types
again under new ids, that failed (the same app and model twice). The tables are now emptied first.

Only config/settings/test.py uses this backend; production and the demo use Django's."""

from django.core.management.color import no_style
from django.db.backends.postgresql import base, creation, operations


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if not tables or reset_sequences:
            return super().sql_flush(
                style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        return [
            "".join(
                f"{style.SQL_KEYWORD('DELETE')} {style.SQL_KEYWORD('FROM')} "
                f"{style.SQL_FIELD(self.quote_name(table))};"
                for table in tables
            )
        ]


class DatabaseCreation(creation.DatabaseCreation):
    def deserialize_db_from_string(self, data):
        connection = self.connection
        tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
        connection.ops.execute_sql_flush(connection.ops.sql_flush(no_style(), tables))
        super().deserialize_db_from_string(data)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
    creation_class = DatabaseCreation
