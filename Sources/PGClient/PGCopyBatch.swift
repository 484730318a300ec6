/// Rows in `COPY … FROM STDIN` text format, built up before they are sent with ``PGCopyWriter/write(_:)``.
///
/// Fields are escaped as the text format requires (backslash, tab, newline, carriage return);
/// `nil` is written as `\N` (SQL NULL).
public struct PGCopyBatch: Sendable {
    /// The encoded bytes.
    public private(set) var bytes: [UInt8] = []
    /// The number of complete rows.
    public private(set) var rowCount = 0
    private var fieldsInRow = 0

    /// An empty batch with room for `capacity` bytes.
    public init(capacity: Int = 1 << 16) { bytes.reserveCapacity(capacity) }

    /// Appends one field to the current row.
    public mutating func append(_ field: String?) {
        if fieldsInRow > 0 { bytes.append(UInt8(ascii: "\t")) }
        fieldsInRow += 1
        guard let field else {
            bytes.append(UInt8(ascii: "\\"))
            bytes.append(UInt8(ascii: "N"))
            return
        }
        for byte in field.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case UInt8(ascii: "\t"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case UInt8(ascii: "\n"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case UInt8(ascii: "\r"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            default: bytes.append(byte)
            }
        }
    }

    /// Appends one field from any encodable value (its PostgreSQL text form).
    public mutating func append(_ value: (some PGEncodable)?) { append(value?.pgText) }

    /// Ends the current row.
    public mutating func endRow() {
        bytes.append(UInt8(ascii: "\n"))
        fieldsInRow = 0
        rowCount += 1
    }

    /// Appends a whole row.
    public mutating func appendRow(_ fields: [String?]) {
        for field in fields { append(field) }
        endRow()
    }

    /// Empties the batch, keeping its capacity.
    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        rowCount = 0
        fieldsInRow = 0
    }
}
