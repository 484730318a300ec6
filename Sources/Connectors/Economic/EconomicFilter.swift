public import Foundation

/// A `filter=` expression for e-conomic collections (economic-api.md §2), built so that values are always escaped.
///
/// ```swift
/// let filter = EconomicFilter.equals("email", "jo+billing@example.com")
///     .and(.like("name", contains: "(Old)"))
/// filter.expression  // email$eq:jo+billing@example.com$and:name$like:$(Old$)
/// filter.queryValue  // the same, percent-encoded (+ as %2B, $ as %24, ...)
/// ```
///
/// Values are escaped with `$` before each of `$ ( ) * , [ ]`; string comparison on e-conomic's side is
/// case-insensitive. `$in`/`$nin` take numbers only, at most 200.
public struct EconomicFilter: Sendable, Hashable, CustomStringConvertible {
    /// Comparison operators that take one value.
    public enum Operator: String, Sendable, CaseIterable {
        /// Equal.
        case eq
        /// Not equal.
        case ne
        /// Greater than.
        case gt
        /// Greater than or equal.
        case gte
        /// Less than.
        case lt
        /// Less than or equal.
        case lte
        /// Contains (no `*`) or matches a pattern (`*` wildcards).
        case like
    }

    /// A filter that cannot be built.
    public struct BuildError: Error, Sendable, Hashable, CustomStringConvertible {
        /// What is wrong.
        public var description: String
    }

    /// `$in`/`$nin` accept at most this many values.
    public static let maxListValues = 200
    /// The characters that must be escaped with `$` inside a value.
    public static let reservedCharacters: Set<Character> = ["$", "(", ")", "*", ",", "[", "]"]

    private enum Shape: Hashable, Sendable { case condition, and, or }

    /// The filter as e-conomic reads it, before URL encoding.
    public let expression: String
    private let shape: Shape

    private init(expression: String, shape: Shape) {
        self.expression = expression
        self.shape = shape
    }

    /// The expression.
    public var description: String { expression }

    /// `field$op:value`, with the value escaped (a `*` in it is a literal star, not a wildcard).
    public static func field(_ name: String, _ op: Operator, _ value: String) -> EconomicFilter {
        EconomicFilter(expression: "\(name)$\(op.rawValue):\(escape(value))", shape: .condition)
    }

    /// `field$op:number`.
    public static func field(_ name: String, _ op: Operator, _ value: Int) -> EconomicFilter {
        EconomicFilter(expression: "\(name)$\(op.rawValue):\(value)", shape: .condition)
    }

    /// `field$eq:value` (case-insensitive on e-conomic's side).
    public static func equals(_ name: String, _ value: String) -> EconomicFilter {
        field(name, .eq, value)
    }

    /// `field$eq:number`.
    public static func equals(_ name: String, _ value: Int) -> EconomicFilter {
        field(name, .eq, value)
    }

    /// `field$like:value` without wildcards: the field contains the value.
    public static func like(_ name: String, contains value: String) -> EconomicFilter {
        field(name, .like, value)
    }

    /// `field$like:value*`.
    public static func like(_ name: String, startsWith value: String) -> EconomicFilter {
        EconomicFilter(expression: "\(name)$like:\(escape(value))*", shape: .condition)
    }

    /// `field$like:*value`.
    public static func like(_ name: String, endsWith value: String) -> EconomicFilter {
        EconomicFilter(expression: "\(name)$like:*\(escape(value))", shape: .condition)
    }

    /// `field$like:pattern` where each `*` in `pattern` is a wildcard and every other reserved character is escaped.
    public static func like(_ name: String, pattern: String) -> EconomicFilter {
        let escaped = pattern.split(separator: "*", omittingEmptySubsequences: false).map { escape(String($0)) }.joined(separator: "*")
        return EconomicFilter(expression: "\(name)$like:\(escaped)", shape: .condition)
    }

    /// `field$eq:$null:`: the field has no value.
    public static func isNull(_ name: String) -> EconomicFilter {
        EconomicFilter(expression: "\(name)$eq:$null:", shape: .condition)
    }

    /// `field$ne:$null:`: the field has a value.
    public static func isNotNull(_ name: String) -> EconomicFilter {
        EconomicFilter(expression: "\(name)$ne:$null:", shape: .condition)
    }

    /// `field$in:[1,2,3]`.
    /// - Throws: ``BuildError`` for an empty list or more than ``maxListValues`` numbers.
    public static func field(_ name: String, in values: [Int]) throws(BuildError) -> EconomicFilter {
        try list(name, "in", values)
    }

    /// `field$nin:[1,2,3]`.
    /// - Throws: ``BuildError`` for an empty list or more than ``maxListValues`` numbers.
    public static func field(_ name: String, notIn values: [Int]) throws(BuildError) -> EconomicFilter {
        try list(name, "nin", values)
    }

    private static func list(_ name: String, _ op: String, _ values: [Int]) throws(BuildError) -> EconomicFilter {
        guard !values.isEmpty else { throw BuildError(description: "$\(op) needs at least one value") }
        guard values.count <= maxListValues else {
            throw BuildError(description: "$\(op) takes at most \(maxListValues) values; got \(values.count). Split the query.")
        }
        return EconomicFilter(expression: "\(name)$\(op):[\(values.map(String.init).joined(separator: ","))]", shape: .condition)
    }

    /// `lastUpdated$gt:2019-01-13T11:22:22Z` (UTC, whole seconds).
    public static func lastUpdated(after date: Date) -> EconomicFilter {
        EconomicFilter(expression: "lastUpdated$gt:\(EconomicDate.format(date))", shape: .condition)
    }

    /// Both filters: `a$and:b`, with parentheses around an `$or` operand.
    public func and(_ other: EconomicFilter) -> EconomicFilter {
        EconomicFilter(expression: operand(for: .and) + "$and:" + other.operand(for: .and), shape: .and)
    }

    /// Either filter: `a$or:b`, with parentheses around an `$and` operand.
    public func or(_ other: EconomicFilter) -> EconomicFilter {
        EconomicFilter(expression: operand(for: .or) + "$or:" + other.operand(for: .or), shape: .or)
    }

    private func operand(for combination: Shape) -> String {
        shape == .condition || shape == combination ? expression : "(\(expression))"
    }

    /// Prefixes each of `$ ( ) * , [ ]` with `$`.
    public static func escape(_ value: String) -> String {
        var result = ""
        result.reserveCapacity(value.count)
        for character in value {
            if reservedCharacters.contains(character) { result.append("$") }
            result.append(character)
        }
        return result
    }

    /// The expression percent-encoded for a query string: everything but `A–Z a–z 0–9 - . _ ~` is encoded,
    /// so a `+` travels as `%2B` and is not read as a space.
    public var queryValue: String {
        Self.percentEncode(expression)
    }

    static func percentEncode(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                result.append(Character(UnicodeScalar(byte)))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                result += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return result
    }
}
