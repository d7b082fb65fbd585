import type { Kysely, Migration } from 'kysely';
import { idColumn } from './id-column';

export const usersMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('users')
      .addColumn('id', 'integer', idColumn(db))
      .addColumn('openid', 'varchar(128)', (col) => col.notNull().unique())
      .addColumn('unionid', 'varchar(128)')
      .addColumn('nickname', 'varchar(256)', (col) => col.notNull().defaultTo(''))
      .addColumn('avatar_url', 'varchar(1024)', (col) => col.notNull().defaultTo(''))
      .addColumn('scope', 'varchar(32)', (col) => col.notNull())
      .addColumn('created_at', 'varchar(32)', (col) => col.notNull())
      .addColumn('updated_at', 'varchar(32)', (col) => col.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('users').execute();
  },
};
