import EventStore
import PGClient

/// The row-by-row comparison of one table's live rows with its staging copy, for one tenant: rows are joined on the
/// primary key and compared as `to_jsonb` of the whole row, then, for the first differing rows, column by column.
/// Runs in the caller's transaction (the verifier's snapshot, in the tenant's scope).
struct StagingComparison {
    let table: ProjectionTable
    let live: ProjectionTarget
    let staging: ProjectionTarget
    let tenant: TenantID

    /// Counts both sides and the differing rows, and describes the first `shown` of them in key order.
    func run(shown: Int, on connection: PGConnection) async throws -> VerifyReport.Table {
        let liveTable = live.table(table.name)
        let stagingTable = staging.table(table.name)
        let counts = try await connection.query(
            """
            SELECT (SELECT count(*) FROM \(unsafeRaw: liveTable) WHERE tenant_id = \(tenant.rawValue)),
                   (SELECT count(*) FROM \(unsafeRaw: stagingTable) WHERE tenant_id = \(tenant.rawValue))
            """
        ).decode((Int, Int).self)
        let rows = try await connection.query(differences(limit: max(shown, 1)))
            .decode((Int, String, String, String?, String?, String?, String?).self)
        var result = VerifyReport.Table(
            name: table.name, liveRows: counts.first?.0 ?? 0, rebuiltRows: counts.first?.1 ?? 0, differing: rows.first?.0 ?? 0, shown: [])
        for (_, key, kind, column, liveValue, rebuiltValue, row) in rows {
            if result.shown.last?.key != key {
                let difference = RowDifference.Kind(rawValue: kind) ?? .changed
                result.shown.append(RowDifference(key: key, kind: difference, columns: [], row: difference == .changed ? nil : row))
            }
            if let column {
                result.shown[result.shown.count - 1].columns.append(.init(name: column, live: liveValue, rebuilt: rebuiltValue))
            }
        }
        result.shown = Array(result.shown.prefix(shown))
        return result
    }

    /// One line per differing column of the first `limit` differing rows (one line for a row only one side has):
    /// the number of differing rows, the key, the kind, the column, both values, and the one-sided row as JSON.
    private func differences(limit: Int) -> PGQuery {
        let key = table.primaryKey
        let shownKey = key.filter { $0 != "tenant_id" }
        let label =
            shownKey.isEmpty
            ? "''" : "concat_ws(' ', " + shownKey.map { "'\($0)=' || coalesce(l.\($0), r.\($0))::text" }.joined(separator: ", ") + ")"
        let sort = "ARRAY[" + key.map { "coalesce(l.\($0), r.\($0))::text" }.joined(separator: ", ") + "]"
        let join = key.map { "l.\($0) = r.\($0)" }.joined(separator: " AND ")
        return """
            WITH l AS (SELECT * FROM \(unsafeRaw: live.table(table.name)) WHERE tenant_id = \(tenant.rawValue)),
                 r AS (SELECT * FROM \(unsafeRaw: staging.table(table.name)) WHERE tenant_id = \(tenant.rawValue)),
                 d AS (
                     SELECT \(unsafeRaw: label) AS key, \(unsafeRaw: sort) AS sort,
                            CASE WHEN l.tenant_id IS NULL THEN NULL ELSE to_jsonb(l) END AS lj,
                            CASE WHEN r.tenant_id IS NULL THEN NULL ELSE to_jsonb(r) END AS rj
                     FROM l FULL JOIN r ON \(unsafeRaw: join)),
                 x AS (
                     SELECT key, sort, lj, rj, count(*) OVER () AS total FROM d
                     WHERE lj IS DISTINCT FROM rj ORDER BY sort LIMIT \(limit))
            SELECT x.total, x.key,
                   CASE WHEN x.lj IS NULL THEN 'onlyRebuilt' WHEN x.rj IS NULL THEN 'onlyLive' ELSE 'changed' END,
                   c.col, x.lj ->> c.col, x.rj ->> c.col, coalesce(x.lj, x.rj)::text
            FROM x LEFT JOIN LATERAL (
                SELECT u.col, u.ord FROM unnest(\(table.columns.map(\.name))::text[]) WITH ORDINALITY AS u(col, ord)
                WHERE x.lj IS NOT NULL AND x.rj IS NOT NULL AND (x.lj -> u.col) IS DISTINCT FROM (x.rj -> u.col)) c ON true
            ORDER BY x.sort, c.ord
            """
    }
}
