public import Foundation

/// A Swift type a result column can be decoded into, from PostgreSQL's text output.
///
/// Conforming types: `String`, `Int`, `Int32`, `Int64`, `UInt64` (e.g. `xid8`), `Bool`, `Double`, `UUID`,
/// `Date` (`timestamptz`), `Data` (`bytea`), ``PGJSON`` (`json`/`jsonb`), and `Optional` of any of them (for NULL).
public protocol PGDecodable: Sendable {
    /// Decodes a non-NULL value from its text form.
    /// - Parameters:
    ///   - bytes: the value's bytes, valid only during the call.
    ///   - typeOID: the column's type OID.
    /// - Throws: ``PGDecodingFailure`` when the text is not a valid value of `Self`.
    init(pgText bytes: UnsafeRawBufferPointer, typeOID: UInt32) throws

    /// The value for SQL NULL; throws ``PGDecodingFailure/unexpectedNull`` unless `Self` is optional.
    static func pgDecodeNull() throws -> Self
}

extension PGDecodable {
    /// Non-optional types reject NULL.
    public static func pgDecodeNull() throws -> Self { throw PGDecodingFailure.unexpectedNull }
}

/// Why one value could not be decoded; wrapped into ``PGError`` with the column name by ``PGRow``.
public enum PGDecodingFailure: Error, Sendable, Equatable {
    /// The column was NULL but the requested type is not optional.
    case unexpectedNull
    /// The text was not a valid value of the requested type.
    case invalidText(expected: String)
    /// The requested column does not exist in the result.
    case noSuchColumn(String)
}

extension Optional: PGDecodable where Wrapped: PGDecodable {
    /// Decodes the wrapped value.
    public init(pgText bytes: UnsafeRawBufferPointer, typeOID: UInt32) throws {
        self = .some(try Wrapped(pgText: bytes, typeOID: typeOID))
    }

    /// NULL is `nil`.
    public static func pgDecodeNull() throws -> Self { .none }
}

extension String: PGDecodable {
    /// Any column's text form.
    public init(pgText bytes: UnsafeRawBufferPointer, typeOID: UInt32) throws {
        self = String(decoding: bytes, as: UTF8.self)
    }
}

/// Parses an optionally signed decimal integer without allocating.
private func parseInteger<T: FixedWidthInteger>(_ bytes: UnsafeRawBufferPointer, as type: T.Type) throws -> T {
    var index = 0
    var negative = false
    if let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
        negative = first == UInt8(ascii: "-")
        index = 1
    }
    guard index < bytes.count else { throw PGDecodingFailure.invalidText(expected: "\(T.self)") }
    var value: T = 0
    while index < bytes.count {
        let byte = bytes[index]
        guard byte >= 48, byte <= 57 else { throw PGDecodingFailure.invalidText(expected: "\(T.self)") }
        let digit = T(byte - 48)
        let (multiplied, overflow1) = value.multipliedReportingOverflow(by: 10)
        let (added, overflow2) = negative ? multiplied.subtractingReportingOverflow(digit) : multiplied.addingReportingOverflow(digit)
        guard !overflow1, !overflow2 else { throw PGDecodingFailure.invalidText(expected: "\(T.self)") }
        value = added
        index += 1
    }
    return value
}

extension Int: PGDecodable {
    /// `int2`, `int4`, `int8` (and any integer-valued text).
    public init(pgText bytes: UnsafeRawBufferPointer, typeOID: UInt32) throws { self = try parseInteger(bytes, as: Int.self) }
}

extension Int64: PGDecodable {
    /// `int2`, `int4`, `int8`.
    public init(pgText bytes: UnsafeRawBufferPointer, typeOID: UInt32) throws { self = try parseInteger(bytes, as: Int64.self) }
}

extension Int32: PGDecodable {
    /// `int2`, `int4`.
    public init(pgText bytes: UnsafeRawBufferPointer, typeOID: UInt32) throws { self = try parseInteger(bytes, as: Int32.self) }
}

extension UInt64: PGDecodable {
    /// `xid8` and other non-negative 64-bit values.
    public init(pgText bytes: UnsafeRawBufferPointer, typeOID: UInt32) throws { self = try parseInteger(bytes, as: UInt64.self) }
}

extension Bool: PGDecodable {
    /// `bool` (`t`/`f`).
    public init(pgText bytes: UnsafeRawBufferPointer, typeOID: UInt32) throws {
        switch bytes.first {
        case UInt8(ascii: "t"): self = true
        case UInt8(ascii: "f"): self = false
        default: throw PGDecodingFailure.invalidText(expected: "Bool")
        }
    }
}

extension Double: PGDecodable {
    /// `float4`, `float8`, `numeric`, and integers.
    public init(pgText bytes: UnsafeRawBufferPointer, typeOID: UInt32) throws {
        let text = String(decoding: bytes, as: UTF8.self)
        switch text {
        case "NaN": self = .nan
        case "Infinity": self = .infinity
        case "-Infinity": self = -.infinity
        default:
            guard let value = Double(text) else { throw PGDecodingFailure.invalidText(expected: "Double") }
            self = value
        }
    }
}

extension UUID: PGDecodable {
    /// `uuid`.
    public init(pgText bytes: UnsafeRawBufferPointer, typeOID: UInt32) throws {
        guard let value = UUID(uuidString: String(decoding: bytes, as: UTF8.self)) else {
            throw PGDecodingFailure.invalidText(expected: "UUID")
        }
        self = value
    }
}

extension Date: PGDecodable {
    /// `timestamptz` (and `timestamp`, read as UTC).
    public init(pgText bytes: UnsafeRawBufferPointer, typeOID: UInt32) throws {
        guard let value = PGTimestamp.parse(bytes) else { throw PGDecodingFailure.invalidText(expected: "Date") }
        self = value
    }
}

extension Data: PGDecodable {
    /// `bytea` in hex output format (`\x…`).
    public init(pgText bytes: UnsafeRawBufferPointer, typeOID: UInt32) throws {
        guard bytes.count >= 2, bytes[0] == UInt8(ascii: "\\"), bytes[1] == UInt8(ascii: "x"), bytes.count % 2 == 0 else {
            throw PGDecodingFailure.invalidText(expected: "Data (bytea hex)")
        }
        func nibble(_ byte: UInt8) throws -> UInt8 {
            switch byte {
            case 48...57: return byte - 48
            case 97...102: return byte - 87
            case 65...70: return byte - 55
            default: throw PGDecodingFailure.invalidText(expected: "Data (bytea hex)")
            }
        }
        var data = Data(capacity: (bytes.count - 2) / 2)
        var index = 2
        while index < bytes.count {
            data.append(try nibble(bytes[index]) << 4 | nibble(bytes[index + 1]))
            index += 2
        }
        self = data
    }
}
