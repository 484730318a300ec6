import Foundation
public import PGClient
import StreamingJSON

/// Moves read-model rows between Swift and a projection table as JSON, whole batches per statement:
/// `to_jsonb(row)` to load, `jsonb_populate_recordset` to upsert, `jsonb_to_recordset` to delete.
///
/// A row type's coding keys are the table's column names. Columns a row does not encode become NULL.
public struct ProjectionRows<Row: Codable & Sendable>: Sendable {
    /// The table definition (its primary key drives lookups, upserts and deletes).
    public let table: ProjectionTable
    /// The physical table to use.
    public let target: ProjectionTarget

    /// Rows of one table of a target.
    public init(_ table: ProjectionTable, _ target: ProjectionTarget) {
        self.table = table
        self.target = target
    }

    private var name: String { target.table(table.name) }

    /// `column type, …` for a `jsonb_to_recordset` column list.
    private func columnList(_ columns: [String]) -> String {
        columns.map { column in
            guard let definition = table.columns.first(where: { $0.name == column })?.definition else {
                preconditionFailure("\(table.name) has no column \(column)")
            }
            return "\(column) \(definition.split(separator: " ").first!)"
        }.joined(separator: ", ")
    }

    /// Loads the rows whose primary keys are given (as JSON objects of the key columns).
    /// - Throws: ``PGError``, or a decoding error if a stored row does not fit `Row`.
    public func load(keys: [some Encodable], on connection: PGConnection) async throws -> [Row] {
        try await load(by: table.primaryKey, values: keys, on: connection)
    }

    /// Loads the rows whose `columns` equal one of the given value objects (JSON objects of those columns), each
    /// distinct key looked up on its own (see ``perKey(_:values:returning:)``).
    /// - Throws: ``PGError``, or a decoding error if a stored row does not fit `Row`.
    public func load(by columns: [String], values: [some Encodable], on connection: PGConnection) async throws -> [Row] {
        guard !values.isEmpty else { return [] }
        let rows = try await connection.query(try perKey(columns, values: values, returning: "to_jsonb(found.entry)"))
        return try rows.map { try ProjectionJSON.decode(Row.self, from: try $0.decode(column: 0, as: PGJSON.self)) }
    }

    /// Loads every row matching a condition on one column (e.g. all rows of a tenant).
    /// - Throws: ``PGError``, or a decoding error.
    public func load(where column: String, equals value: String, on connection: PGConnection) async throws -> [Row] {
        precondition(table.columns.contains { $0.name == column }, "unknown column \(column)")
        let rows = try await connection.query("SELECT to_jsonb(t) FROM \(unsafeRaw: name) t WHERE \(unsafeRaw: column) = \(value)")
        return try rows.map { try ProjectionJSON.decode(Row.self, from: try $0.decode(column: 0, as: PGJSON.self)) }
    }

    /// Inserts or replaces rows, in one statement.
    /// - Throws: ``PGError``.
    public func upsert(_ rows: [Row], on connection: PGConnection) async throws {
        guard !rows.isEmpty else { return }
        let others = table.columns.map(\.name).filter { !table.primaryKey.contains($0) }
        let update = others.isEmpty
            ? "DO NOTHING"
            : "DO UPDATE SET (\(others.joined(separator: ", "))) = ROW(\(others.map { "EXCLUDED.\($0)" }.joined(separator: ", ")))"
        try await connection.execute(
            """
            INSERT INTO \(unsafeRaw: name) SELECT * FROM jsonb_populate_recordset(NULL::\(unsafeRaw: name), \(try ProjectionJSON.array(rows)))
            ON CONFLICT (\(unsafeRaw: table.primaryKey.joined(separator: ", "))) \(unsafeRaw: update)
            """)
    }

    /// Inserts rows that are not in the table yet (a rebuild's fold writing into empty tables), `chunk` rows per
    /// statement so that no statement grows with the tenant.
    /// - Throws: ``PGError`` (a row already there violates the primary key).
    public func insert(_ rows: [Row], chunk: Int = 5000, on connection: PGConnection) async throws {
        for start in stride(from: 0, to: rows.count, by: chunk) {
            let part = Array(rows[start..<min(start + chunk, rows.count)])
            try await connection.execute(
                "INSERT INTO \(unsafeRaw: name) SELECT * FROM jsonb_populate_recordset(NULL::\(unsafeRaw: name), \(try ProjectionJSON.array(part)))")
        }
    }

    /// Deletes the rows whose primary keys are given, in one statement.
    /// - Throws: ``PGError``.
    public func delete(keys: [some Encodable], on connection: PGConnection) async throws {
        try await delete(by: table.primaryKey, values: keys, on: connection)
    }

    /// Deletes the rows whose `columns` equal one of the given value objects, in one statement: the rows are found as
    /// ``load(by:values:on:)`` finds them and deleted by their row ids (a join of the table with the keys was
    /// answered by a scan of the whole table — 3 ms a batch at 24,000 index rows, growing with the table).
    /// - Throws: ``PGError``.
    public func delete(by columns: [String], values: [some Encodable], on connection: PGConnection) async throws {
        guard !values.isEmpty else { return }
        var statement: PGQuery = "DELETE FROM \(unsafeRaw: name) WHERE ctid = ANY(ARRAY("
        statement.append(try perKey(columns, values: values, returning: "found.ctid"))
        statement.append("))")
        try await connection.execute(statement)
    }

    /// `SELECT <returning>` of the rows whose `columns` equal one of `values`, as `found.entry` (the row) and
    /// `found.ctid` (its id). Each distinct key is looked up on its own (`LATERAL … OFFSET 0` keeps the lookup from
    /// being turned into a join the planner may answer by scanning the table: with a few thousand rows it did, 3 ms
    /// a batch instead of 0.1 ms, because it cannot see how few keys a JSON batch holds).
    private func perKey(_ columns: [String], values: [some Encodable], returning: String) throws -> PGQuery {
        """
        SELECT \(unsafeRaw: returning) FROM (
            SELECT DISTINCT \(unsafeRaw: columns.joined(separator: ", "))
            FROM jsonb_to_recordset(\(try ProjectionJSON.array(values))) AS k(\(unsafeRaw: columnList(columns)))) AS k
        CROSS JOIN LATERAL (
            SELECT r.ctid, r AS entry FROM \(unsafeRaw: name) r WHERE \(unsafeRaw: columns.map { "r.\($0) = k.\($0)" }.joined(separator: " AND ")) OFFSET 0
        ) AS found
        """
    }

    /// Every row, ordered by primary key (for tests and dumps).
    /// - Throws: ``PGError``, or a decoding error.
    public func all(on connection: PGConnection) async throws -> [Row] {
        let rows = try await connection.query(
            "SELECT to_jsonb(t) FROM \(unsafeRaw: name) t ORDER BY \(unsafeRaw: table.primaryKey.joined(separator: ", "))")
        return try rows.map { try ProjectionJSON.decode(Row.self, from: try $0.decode(column: 0, as: PGJSON.self)) }
    }
}

/// The JSON coding used for projection rows: timestamps with microseconds as PostgreSQL keeps them
/// (`to_jsonb` output parses back), sorted keys.
public enum ProjectionJSON {
    /// Encodes values as one JSON array.
    /// - Throws: an encoding error.
    public static func array(_ values: [some Encodable]) throws -> PGJSON {
        PGJSON(text: try writer.encode(values))
    }

    /// Encodes one value.
    /// - Throws: an encoding error.
    public static func encode(_ value: some Encodable) throws -> PGJSON {
        PGJSON(text: try writer.encode(value))
    }

    /// Decodes one value.
    /// - Throws: a decoding error.
    public static func decode<Value: Decodable>(_ type: Value.Type, from json: PGJSON) throws -> Value {
        try decoder.decode(Value.self, from: Data(json.text.utf8))
    }

    /// Rows are written in one pass: PostgreSQL reads them as `jsonb`, which keeps no key order.
    private static let writer = StreamingJSONEncoder(dateFormat: { PGTimestamp.format($0) })

    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let date = PGTimestamp.parse(text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a timestamp: \(text)"))
            }
            return date
        }
        return decoder
    }()
}

