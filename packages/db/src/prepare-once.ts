const statementsByDatabase = new WeakMap<object, Map<unknown, unknown>>();

/**
 * A statement prepared once per database connection and reused: `build` (a module-level function,
 * so its identity names the statement) runs on first use. Building a query with drizzle's builder
 * and compiling it costs tens of microseconds each time; executing a prepared one, a few.
 */
export function prepareOnce<Database extends object, Statement>(database: Database, build: (database: Database) => Statement): Statement {
  let statements = statementsByDatabase.get(database);
  if (!statements) {
    statements = new Map();
    statementsByDatabase.set(database, statements);
  }
  let statement = statements.get(build) as Statement | undefined;
  if (statement === undefined) {
    statement = build(database);
    statements.set(build, statement);
  }
  return statement;
}
