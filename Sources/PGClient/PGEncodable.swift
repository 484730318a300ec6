public import Foundation

/// A Swift value that can be sent to PostgreSQL as a bind parameter (in libpq's text format).
///
/// Conforming types: `String`, `Substring`, `Int`, `Int32`, `Int64`, `UInt64` (as `numeric`), `Bool`, `Double`,
/// `UUID`, `Date` (as `timestamptz`), `Data` (as `bytea`), ``PGJSON`` (as `jsonb`), and arrays of
/// ``PGArrayElement`` values.
public protocol PGEncodable: Sendable {
    /// The type OID sent with the parameter; `0` lets the server infer it from the statement.
    static var pgTypeOID: UInt32 { get }
    /// The value in PostgreSQL's text input format.
    var pgText: String { get }
}

/// A value that can be an element of an array parameter (`text[]`, `int8[]`, `jsonb[]`, …).
public protocol PGArrayElement: PGEncodable {
    /// The OID of the array type whose elements are `Self`.
    static var pgArrayTypeOID: UInt32 { get }
}

/// Type OIDs used by the encoders and decoders (from `pg_type`).
public enum PGTypeOID {
    /// Let the server infer the type.
    public static let unspecified: UInt32 = 0
    /// `bool`
    public static let bool: UInt32 = 16
    /// `bytea`
    public static let bytea: UInt32 = 17
    /// `int8`
    public static let int8: UInt32 = 20
    /// `int4`
    public static let int4: UInt32 = 23
    /// `text`
    public static let text: UInt32 = 25
    /// `float8`
    public static let float8: UInt32 = 701
    /// `numeric`
    public static let numeric: UInt32 = 1700
    /// `timestamptz`
    public static let timestamptz: UInt32 = 1184
    /// `uuid`
    public static let uuid: UInt32 = 2950
    /// `jsonb`
    public static let jsonb: UInt32 = 3802
    /// `bool[]`
    public static let boolArray: UInt32 = 1000
    /// `bytea[]`
    public static let byteaArray: UInt32 = 1001
    /// `int4[]`
    public static let int4Array: UInt32 = 1007
    /// `text[]`
    public static let textArray: UInt32 = 1009
    /// `int8[]`
    public static let int8Array: UInt32 = 1016
    /// `float8[]`
    public static let float8Array: UInt32 = 1022
    /// `timestamptz[]`
    public static let timestamptzArray: UInt32 = 1185
    /// `uuid[]`
    public static let uuidArray: UInt32 = 2951
    /// `jsonb[]`
    public static let jsonbArray: UInt32 = 3807
}

extension String: PGArrayElement {
    /// Sent untyped, so a string fits text, varchar, enum-like and other textual columns alike.
    public static var pgTypeOID: UInt32 { PGTypeOID.unspecified }
    /// `text[]`
    public static var pgArrayTypeOID: UInt32 { PGTypeOID.textArray }
    /// The string itself.
    public var pgText: String { self }
}

extension Substring: PGEncodable {
    /// Sent untyped, like `String`.
    public static var pgTypeOID: UInt32 { PGTypeOID.unspecified }
    /// The substring's characters.
    public var pgText: String { String(self) }
}

extension Int: PGArrayElement {
    /// `int8`
    public static var pgTypeOID: UInt32 { PGTypeOID.int8 }
    /// `int8[]`
    public static var pgArrayTypeOID: UInt32 { PGTypeOID.int8Array }
    /// Decimal digits.
    public var pgText: String { String(self) }
}

extension Int64: PGArrayElement {
    /// `int8`
    public static var pgTypeOID: UInt32 { PGTypeOID.int8 }
    /// `int8[]`
    public static var pgArrayTypeOID: UInt32 { PGTypeOID.int8Array }
    /// Decimal digits.
    public var pgText: String { String(self) }
}

extension Int32: PGArrayElement {
    /// `int4`
    public static var pgTypeOID: UInt32 { PGTypeOID.int4 }
    /// `int4[]`
    public static var pgArrayTypeOID: UInt32 { PGTypeOID.int4Array }
    /// Decimal digits.
    public var pgText: String { String(self) }
}

extension UInt64: PGEncodable {
    /// Sent untyped (cast it in SQL, e.g. `$1::xid8` or `$1::numeric`): no built-in unsigned 64-bit type exists.
    public static var pgTypeOID: UInt32 { PGTypeOID.unspecified }
    /// Decimal digits.
    public var pgText: String { String(self) }
}

extension Bool: PGArrayElement {
    /// `bool`
    public static var pgTypeOID: UInt32 { PGTypeOID.bool }
    /// `bool[]`
    public static var pgArrayTypeOID: UInt32 { PGTypeOID.boolArray }
    /// `t` or `f`.
    public var pgText: String { self ? "t" : "f" }
}

extension Double: PGArrayElement {
    /// `float8`
    public static var pgTypeOID: UInt32 { PGTypeOID.float8 }
    /// `float8[]`
    public static var pgArrayTypeOID: UInt32 { PGTypeOID.float8Array }
    /// The shortest round-tripping representation; `NaN`, `Infinity`, `-Infinity` as PostgreSQL spells them.
    public var pgText: String {
        if isNaN { return "NaN" }
        if isInfinite { return self > 0 ? "Infinity" : "-Infinity" }
        return String(self)
    }
}

extension UUID: PGArrayElement {
    /// `uuid`
    public static var pgTypeOID: UInt32 { PGTypeOID.uuid }
    /// `uuid[]`
    public static var pgArrayTypeOID: UInt32 { PGTypeOID.uuidArray }
    /// The lower-case canonical form.
    public var pgText: String { uuidString.lowercased() }
}

extension Date: PGArrayElement {
    /// `timestamptz`
    public static var pgTypeOID: UInt32 { PGTypeOID.timestamptz }
    /// `timestamptz[]`
    public static var pgArrayTypeOID: UInt32 { PGTypeOID.timestamptzArray }
    /// ISO 8601 in UTC with microseconds, e.g. `2026-11-24 11:10:00.123456+00`.
    public var pgText: String { PGTimestamp.format(self) }
}

extension Data: PGArrayElement {
    /// `bytea`
    public static var pgTypeOID: UInt32 { PGTypeOID.bytea }
    /// `bytea[]`
    public static var pgArrayTypeOID: UInt32 { PGTypeOID.byteaArray }
    /// The hex format, `\x0a0b…`.
    public var pgText: String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = [UInt8(ascii: "\\"), UInt8(ascii: "x")]
        bytes.reserveCapacity(2 + count * 2)
        for byte in self {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension Array: PGEncodable where Element: PGArrayElement {
    /// The array type of the element.
    public static var pgTypeOID: UInt32 { Element.pgArrayTypeOID }
    /// An array literal, every element double-quoted and escaped: `{"a","b \"c\""}`.
    public var pgText: String { PGNullableArray(map { $0 }).pgText }
}

extension Array where Element: PGArrayElement {
    /// The same array with `nil` elements sent as SQL `NULL` (e.g. `$1::text[]` with holes).
    public static func withNulls(_ values: [Element?]) -> PGNullableArray<Element> { PGNullableArray(values) }
}

/// An array parameter whose elements may be SQL `NULL`.
public struct PGNullableArray<Element: PGArrayElement>: PGEncodable {
    /// The elements; `nil` becomes `NULL`.
    public var values: [Element?]
    /// Wraps the elements.
    public init(_ values: [Element?]) { self.values = values }
    /// The array type of the element.
    public static var pgTypeOID: UInt32 { Element.pgArrayTypeOID }
    /// An array literal with unquoted `NULL` for nil elements.
    public var pgText: String {
        var text = "{"
        for (index, element) in values.enumerated() {
            if index > 0 { text += "," }
            guard let element else {
                text += "NULL"
                continue
            }
            text += "\""
            for character in element.pgText.unicodeScalars {
                if character == "\"" || character == "\\" { text.unicodeScalars.append("\\") }
                text.unicodeScalars.append(character)
            }
            text += "\""
        }
        return text + "}"
    }
}
