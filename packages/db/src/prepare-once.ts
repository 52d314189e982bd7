const statementsByDatabase = new WeakMap<object, Map<unknown, unknown>>();

/**
 * The one statement-caching style of the emulator: a statement is built by a module-level function
 * (`const jobById = (database: FoundryDatabase) => database.select()…prepare()`), whose identity
 * names it, and fetched where it runs with `prepareOnce(database, jobById)`: prepared on first use,
 * once per database connection, and shared by everything using that connection. Building a query
 * with drizzle's builder and compiling it costs tens of microseconds each time; executing a
 * prepared one, a few; the lookup here, well under a tenth of one.
 *
 * Chosen over statements prepared when a factory runs because most of the data layer is plain
 * functions taking the database (no factory to hang statements on), and because the statement then
 * sits next to the code that runs it rather than in a list at the top of a closure. Cold paths
 * (reset, seed, cancel) build their query where they run it, unprepared.
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
