/// A read-model table's definition, from which every version's DDL is generated the same way:
/// `tenant_id` first, the primary key, indexes, row-level security forced with the tenant policy, and grants
/// (tenants read, the system role writes). Readers use a view named like the table that points at the
/// active version.
public struct ProjectionTable: Sendable, Hashable {
    /// A column: its name and its SQL type with constraints (e.g. `text NOT NULL`).
    public struct Column: Sendable, Hashable {
        /// The column name.
        public var name: String
        /// The SQL type and constraints.
        public var definition: String

        /// Makes a column.
        public init(_ name: String, _ definition: String) {
            self.name = name
            self.definition = definition
        }
    }

    /// The base name (the view's name), e.g. `partner_links`.
    public var name: String
    /// The columns; the first must be `tenant_id`.
    public var columns: [Column]
    /// The primary key columns; must start with `tenant_id`.
    public var primaryKey: [String]
    /// Extra indexes, each a list of columns.
    public var indexes: [[String]]

    /// Makes a table definition.
    public init(name: String, columns: [Column], primaryKey: [String], indexes: [[String]] = []) {
        precondition(Self.isIdentifier(name), "projection table names are lower-case identifiers")
        precondition(columns.first?.name == "tenant_id", "a projection table starts with tenant_id")
        precondition(primaryKey.first == "tenant_id", "a projection table's key starts with tenant_id")
        precondition(columns.allSatisfy { Self.isIdentifier($0.name) }, "column names are lower-case identifiers")
        self.name = name
        self.columns = columns
        self.primaryKey = primaryKey
        self.indexes = indexes
    }

    /// The statements that create the table for a target (run in the system scope).
    func createStatements(for target: ProjectionTarget) -> [String] {
        let physical = target.physicalName(name)
        let table = target.table(name)
        var statements = [
            "CREATE TABLE \(table) (\(columns.map { "\($0.name) \($0.definition)" }.joined(separator: ", ")), "
                + "PRIMARY KEY (\(primaryKey.joined(separator: ", "))))",
            "ALTER TABLE \(table) ENABLE ROW LEVEL SECURITY",
            "ALTER TABLE \(table) FORCE ROW LEVEL SECURITY",
            "CREATE POLICY tenant_isolation ON \(table) USING (tenant_id = current_setting('accord.tenant_id', true))",
            "GRANT SELECT ON \(table) TO accord_tenant",
            "GRANT SELECT, INSERT, UPDATE, DELETE ON \(table) TO accord_system",
        ]
        for (index, columns) in indexes.enumerated() {
            statements.append("CREATE INDEX \"\(physical)_i\(index)\" ON \(table) (\(columns.joined(separator: ", ")))")
        }
        return statements
    }

    /// The columns the planner keeps statistics of (``ProjectionRegistry/analyze(_:version:)``): every one but the
    /// JSON documents. No plan reads their statistics (queries reach into them through expressions, estimated without
    /// them), and sampling them — sorting whole documents to find the common values — was most of what an `ANALYZE` of
    /// a projector's tables cost while an initial sync filled them.
    var analyzedColumns: [String] {
        columns.filter { !$0.definition.lowercased().hasPrefix("jsonb") }.map(\.name)
    }

    /// The statements that point the reader-facing view at a target's table.
    func viewStatements(for target: ProjectionTarget) -> [String] {
        [
            "DROP VIEW IF EXISTS \"\(name)\"",
            "CREATE VIEW \"\(name)\" WITH (security_invoker = true) AS SELECT * FROM \(target.table(name))",
            "GRANT SELECT ON \"\(name)\" TO accord_tenant, accord_system",
        ]
    }

    /// The statement that drops a target's table.
    func dropStatement(for target: ProjectionTarget) -> String { "DROP TABLE IF EXISTS \(target.table(name))" }

    static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, ("a"..."z").contains(first) || first == "_" else { return false }
        return text.count <= 48 && text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }
}
