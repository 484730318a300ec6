import CLibPQ

/// Owns a libpq `PGresult` and clears it exactly once. A `PGresult` is read-only and may cross threads.
final class PGResultHandle: @unchecked Sendable {
    let raw: OpaquePointer

    init(_ raw: OpaquePointer) { self.raw = raw }

    deinit { PQclear(raw) }
}

/// The rows a statement returned. Values are decoded on access, straight from libpq's buffer.
public struct PGRows: Sendable, RandomAccessCollection {
    let result: PGResultHandle?
    /// The number of rows.
    public let count: Int
    /// The number of rows an `INSERT`/`UPDATE`/`DELETE`/`COPY` affected (`0` for other statements).
    public let affectedRows: Int
    /// The column names, in order.
    public let columnNames: [String]

    init(result: PGResultHandle?) {
        self.result = result
        guard let raw = result?.raw else {
            count = 0
            affectedRows = 0
            columnNames = []
            return
        }
        count = Int(PQntuples(raw))
        affectedRows = Int(String(cString: PQcmdTuples(raw))) ?? 0
        columnNames = (0..<PQnfields(raw)).map { String(cString: PQfname(raw, $0)) }
    }

    /// `0`
    public var startIndex: Int { 0 }
    /// ``count``
    public var endIndex: Int { count }

    /// The row at `position`.
    public subscript(position: Int) -> PGRow {
        precondition(position >= 0 && position < count, "row index out of range")
        return PGRow(result: result!, row: Int32(position))
    }

    /// Decodes every row into a tuple, column by column, e.g. `try rows.decode((Int64, String?).self)`.
    /// - Throws: ``PGError`` with code `decodingFailed` naming the column that did not fit.
    public func decode<each Column: PGDecodable>(_ types: (repeat each Column).Type) throws -> [(repeat each Column)] {
        try map { try $0.decode(types) }
    }

    /// Decodes the first column of the single row; nil when there are no rows.
    /// - Throws: ``PGError`` with code `decodingFailed` when the value does not fit.
    public func singleValue<Value: PGDecodable>(_ type: Value.Type = Value.self) throws -> Value? {
        guard let first else { return nil }
        return try first.decode(column: 0, as: Value.self)
    }
}

/// One result row. Decode columns by position or name, or all at once into a tuple.
public struct PGRow: Sendable {
    let result: PGResultHandle
    let row: Int32

    /// The number of columns.
    public var columnCount: Int { Int(PQnfields(result.raw)) }

    /// True when the column is SQL NULL.
    public func isNull(column: Int) -> Bool { PQgetisnull(result.raw, row, Int32(column)) == 1 }

    /// Decodes one column by position.
    /// - Throws: ``PGError`` with code `decodingFailed`, naming the column (never its value).
    public func decode<Value: PGDecodable>(column: Int, as type: Value.Type = Value.self) throws -> Value {
        let raw = result.raw
        let field = Int32(column)
        guard field >= 0, field < PQnfields(raw) else {
            throw PGError(code: .decodingFailed, message: "no column at position \(column)")
        }
        do {
            if PQgetisnull(raw, row, field) == 1 { return try Value.pgDecodeNull() }
            let length = Int(PQgetlength(raw, row, field))
            let pointer = UnsafeRawPointer(PQgetvalue(raw, row, field)!)
            return try Value(pgText: UnsafeRawBufferPointer(start: pointer, count: length), typeOID: PQftype(raw, field))
        } catch let failure as PGDecodingFailure {
            let name = String(cString: PQfname(raw, field))
            throw PGError(code: .decodingFailed, message: "column \(name) as \(Value.self): \(failure)", column: name)
        }
    }

    /// Decodes one column by name.
    /// - Throws: ``PGError`` with code `decodingFailed` when there is no such column or the value does not fit.
    public func decode<Value: PGDecodable>(_ name: String, as type: Value.Type = Value.self) throws -> Value {
        let field = PQfnumber(result.raw, name)
        guard field >= 0 else {
            throw PGError(code: .decodingFailed, message: "no column named \(name)", column: name)
        }
        return try decode(column: Int(field), as: Value.self)
    }

    /// Decodes the columns in order into a tuple, e.g. `try row.decode((UUID, String, Date?).self)`.
    /// - Throws: ``PGError`` with code `decodingFailed` naming the column that did not fit.
    public func decode<each Column: PGDecodable>(_ types: (repeat each Column).Type) throws -> (repeat each Column) {
        var index = 0
        func next<Value: PGDecodable>(_ type: Value.Type) throws -> Value {
            defer { index += 1 }
            return try decode(column: index, as: Value.self)
        }
        return (repeat try next((each Column).self))
    }
}
