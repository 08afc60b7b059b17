// What auth's SQL helpers run on: the pool or an open transaction.
import type postgres from "npm:postgres@3.4.9";

export type Db = postgres.Sql | postgres.TransactionSql;
