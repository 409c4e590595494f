/** A failure to start or reach the embedded PostgreSQL, worded as the one line the user sees. */
export class EmbeddedPostgresError extends Error {
  override name = "EmbeddedPostgresError";
}
