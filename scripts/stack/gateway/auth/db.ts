// What auth's SQL helpers run on: the pool or an open transaction.
import type postgres from "postgres";

export type Db = postgres.Sql | postgres.TransactionSql;
