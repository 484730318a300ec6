import Foundation

/// A SQL statement with its bind parameters. Every interpolated value becomes a `$n` parameter,
/// so values never become SQL text:
///
/// ```swift
/// let rows = try await connection.query("select name from tenants where id = \(tenantID)")
/// ```
///
/// Raw SQL text can only enter through names that say so: ``init(unsafeSQL:)`` and
/// `\(unsafeRaw:)`. ``appendInterpolation(identifier:)`` quotes an identifier safely.
public struct PGQuery: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    /// The statement text with `$1…$n` placeholders.
    public private(set) var sql: String
    /// The parameters' text values (`nil` is SQL NULL), in placeholder order.
    public private(set) var values: [String?]
    /// The parameters' type OIDs (`0` = let the server infer).
    public private(set) var typeOIDs: [UInt32]

    /// A statement from trusted, constant SQL text with no parameters.
    /// - Parameter unsafeSQL: SQL text; never build it from user input.
    public init(unsafeSQL: String) {
        sql = unsafeSQL
        values = []
        typeOIDs = []
    }

    /// A string literal is trusted SQL text.
    public init(stringLiteral value: String) { self.init(unsafeSQL: value) }

    /// Builds the statement from an interpolation.
    public init(stringInterpolation: StringInterpolation) {
        sql = stringInterpolation.sql
        values = stringInterpolation.values
        typeOIDs = stringInterpolation.typeOIDs
    }

    /// Appends another statement fragment, renumbering its parameters.
    public mutating func append(_ other: PGQuery) {
        var interpolation = StringInterpolation(literalCapacity: other.sql.count, interpolationCount: other.values.count)
        interpolation.sql = sql
        interpolation.values = values
        interpolation.typeOIDs = typeOIDs
        interpolation.appendInterpolation(other)
        self = PGQuery(stringInterpolation: interpolation)
    }

    /// The number of parameters.
    public var parameterCount: Int { values.count }

    /// The SQL text only, never the values: safe to log.
    public var description: String { sql }

    /// Collects literal SQL and bind parameters.
    public struct StringInterpolation: StringInterpolationProtocol, Sendable {
        var sql: String
        var values: [String?]
        var typeOIDs: [UInt32]

        /// Reserves space.
        public init(literalCapacity: Int, interpolationCount: Int) {
            sql = ""
            sql.reserveCapacity(literalCapacity + interpolationCount * 3)
            values = []
            values.reserveCapacity(interpolationCount)
            typeOIDs = []
            typeOIDs.reserveCapacity(interpolationCount)
        }

        /// Trusted SQL text from the literal.
        public mutating func appendLiteral(_ literal: String) { sql += literal }

        /// A bind parameter.
        public mutating func appendInterpolation<Value: PGEncodable>(_ value: Value) {
            values.append(value.pgText)
            typeOIDs.append(Value.pgTypeOID)
            sql += "$\(values.count)"
        }

        /// A bind parameter that may be NULL.
        public mutating func appendInterpolation<Value: PGEncodable>(_ value: Value?) {
            values.append(value?.pgText)
            typeOIDs.append(Value.pgTypeOID)
            sql += "$\(values.count)"
        }

        /// A nested statement fragment; its parameters are renumbered.
        public mutating func appendInterpolation(_ fragment: PGQuery) {
            let offset = values.count
            sql += offset == 0 ? fragment.sql : Self.renumber(fragment.sql, by: offset)
            values += fragment.values
            typeOIDs += fragment.typeOIDs
        }

        /// A quoted SQL identifier (table, column, channel name): `"name"` with embedded quotes doubled.
        public mutating func appendInterpolation(identifier: String) {
            sql += "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }

        /// Raw SQL text. Never pass anything derived from user input.
        public mutating func appendInterpolation(unsafeRaw text: String) { sql += text }

        /// Shifts `$n` placeholders by `offset`, leaving string literals and quoted identifiers alone.
        static func renumber(_ sql: String, by offset: Int) -> String {
            var result = ""
            result.reserveCapacity(sql.count + 8)
            var scalars = Substring(sql).unicodeScalars[...]
            var quote: Unicode.Scalar?
            while let scalar = scalars.popFirst() {
                if let open = quote {
                    result.unicodeScalars.append(scalar)
                    if scalar == open { quote = nil }
                    continue
                }
                if scalar == "'" || scalar == "\"" {
                    quote = scalar
                    result.unicodeScalars.append(scalar)
                    continue
                }
                if scalar == "$", let first = scalars.first, ("0"..."9").contains(first) {
                    var digits = ""
                    while let digit = scalars.first, ("0"..."9").contains(digit) {
                        digits.unicodeScalars.append(digit)
                        scalars.removeFirst()
                    }
                    result += "$\(Int(digits)! + offset)"
                    continue
                }
                result.unicodeScalars.append(scalar)
            }
            return result
        }
    }
}
